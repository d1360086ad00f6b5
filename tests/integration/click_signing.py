"""The signing algorithms of the click contract, written from the spec in plain Python, as an
ad server's engineers would: click URLs (section 2) and landing signatures (section 3).

Tests mint URLs with these and check what the server hands out with them, so a server that
drifted from the documented algorithm fails here.
"""

import base64
import hashlib
import hmac
import os
import time
import urllib.parse


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_secret():
    """32 random bytes, base64url without padding (43 characters)."""
    return b64url(os.urandom(32))


def click_url_signature(secret_b64, partner, bid, campaign, tag, url, exp):
    message = "\n".join(["thrad-click-url.v1", partner, bid, campaign, tag, url, str(exp)])
    mac = hmac.new(b64url_decode(secret_b64), message.encode("utf-8"), hashlib.sha256)
    return b64url(mac.digest())


def landing_signature(secret_b64, kid, click_id, exp):
    message = f"thrad-landing.v1\n{click_id}\n{exp}"
    mac = hmac.new(b64url_decode(secret_b64), message.encode("utf-8"), hashlib.sha256)
    return f"v1.{kid}.{b64url(mac.digest())}"


def click_params(kid, secret_b64, partner, bid, url, campaign="", tag="", exp=None, ttl=3600):
    """The query parameters of a signed click URL, in the documented order."""
    exp = int(time.time()) + ttl if exp is None else exp
    sig = click_url_signature(secret_b64, partner, bid, campaign, tag, url, exp)
    params = [("partner", partner), ("bid", bid)]
    if campaign:
        params.append(("campaign", campaign))
    if tag:
        params.append(("tag", tag))
    params += [("url", url), ("exp", str(exp)), ("kid", kid), ("sig", sig)]
    return params


def click_path(params):
    return "/v1/click?" + urllib.parse.urlencode(params)


def mint(kid, secret_b64, partner, bid, url, **kwargs):
    """A signed click URL's path and query."""
    return click_path(click_params(kid, secret_b64, partner, bid, url, **kwargs))


def landing_params(location):
    """The query parameters of a Location, in order, and its fragment."""
    parts = urllib.parse.urlsplit(location)
    return urllib.parse.parse_qsl(parts.query, keep_blank_values=True), parts.fragment


class SigningKey:
    """A signing key created on a store through the CLI (`signing-keys create --secret`)."""

    def __init__(self, cli, secret=None):
        self.secret = secret or new_secret()
        import json
        proc = cli.run("signing-keys create", "--secret", self.secret, "--json")
        data = json.loads(proc.stdout.decode().strip().splitlines()[-1])
        assert data["secret"] == self.secret, data
        self.kid = data["kid"]
        self.cli = cli

    def mint(self, partner, bid, url, **kwargs):
        return mint(self.kid, self.secret, partner, bid, url, **kwargs)

    def landing_signature(self, click_id, exp):
        return landing_signature(self.secret, self.kid, click_id, exp)

    def retire(self):
        self.cli.run("signing-keys retire", self.kid)

    def revoke(self):
        self.cli.run("signing-keys revoke", self.kid)
