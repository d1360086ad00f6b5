"""Crash loop: SIGKILL the server at random moments under concurrent writers, restart it, and
check that every acknowledged event, conversion and click is stored, and none twice.

Clicks come both ways: visitors following signed click URLs (every 302 that carried a click id
must have its click stored) and an ad server registering batches of clicks (every `ok` or
`duplicate` answer must have its clicks stored).

Clients behave like careful partners: a request whose outcome is unknown (the connection died)
is retried with the same ids until it is acknowledged, so the dedup and idempotency paths are
exercised across crashes too. Figures are printed (run with -s) and go into docs/security.md:

    /usr/bin/python3 -m pytest -q -s tests/integration/test_crash_loop.py
    THRAD_CRASH_LOOP_KILLS=20 ... (more kills; default 5)
"""

import collections
import http.client
import os
import random
import threading
import time

from click_signing import SigningKey
from helpers import Partner

KILLS = int(os.environ.get("THRAD_CRASH_LOOP_KILLS", "5"))
COLLECT_CLIENTS = 4
CONVERSION_CLIENTS = 3
REDIRECT_CLIENTS = 2
REGISTER_CLIENTS = 1
CLICKS_PER_REGISTRATION = 5


class Writer(threading.Thread):
    """Sends unique writes one after another; retries each until it is acknowledged."""

    def __init__(self, partner, kind, prefix, stop, click_id=None, signing_key=None,
                 ad_server=None):
        super().__init__(daemon=True)
        self.partner, self.kind, self.prefix, self.stop = partner, kind, prefix, stop
        self.click_id, self.signing_key, self.ad_server = click_id, signing_key, ad_server
        self.clicks = []  # click ids acknowledged (redirects and registrations)
        self.sent, self.acked = set(), []
        self.unknown = 0  # requests whose connection died before the answer
        self.refused = 0  # 503 answers (e.g. while the server restarts its writer)
        self.replayed = 0  # retries the server recognised as already stored
        self.error = None

    def attempt(self, conn, ident):
        if self.kind == "redirect":
            # A visitor: follows a fresh signed click URL once (a browser does not retry a
            # click that failed). A 302 that hands out a click id is an acknowledgement.
            conn.request("GET", self.signing_key.mint(self.partner.id, ident, "https://x.example/"))
            r = conn.getresponse()
            r.read()
            assert r.status == 302, r.status
            location = r.getheader("Location")
            if "thrad_click_id=" in location:
                self.clicks.append(location.split("thrad_click_id=")[1].split("&")[0])
            else:
                self.refused += 1  # the store could not take it: the bare landing URL
            return True
        if self.kind == "register":
            ids = [f"{ident}.{j}" for j in range(CLICKS_PER_REGISTRATION)]
            body = {"clicks": [{"partner_id": self.partner.id, "click_id": c, "bid_id": "b"}
                               for c in ids]}
            r = self.partner.server.post("/v1/api/clicks", body, self.ad_server.headers(),
                                         conn=conn)
            if r.status == 200:
                results = r.json()["results"]
                assert [x["status"] in ("ok", "duplicate") for x in results] == [True] * len(ids), r
                self.replayed += sum(x["status"] == "duplicate" for x in results)
                self.clicks.extend(ids)
                return True
        elif self.kind == "collect":
            r = self.partner.collect({"event_name": "crash-loop", "event_id": ident}, conn=conn)
            if r.status == 204:
                self.replayed += r.headers.get("Idempotent-Replayed") == "true"
                return True
        else:
            body = {"click_id": self.click_id, "conversion_time": "2026-02-19T18:00:00Z",
                    "conversion_value": 12.5, "currency": "EUR", "order_id": ident}
            r = self.partner.conversion(body, idem=ident, conn=conn)
            if r.status == 200:
                status = r.json()["status"]
                assert status in ("ok", "duplicate"), r
                self.replayed += status == "duplicate"
                return True
        assert r.status == 503, r  # the only refusal a valid write may get
        self.refused += 1
        return False

    def run(self):
        conn = None
        i = 0
        try:
            while not self.stop.is_set():
                ident = f"{self.prefix}-{i}"
                self.sent.add(ident)
                try:
                    if conn is None:
                        port = self.partner.server.port
                        if port is None:
                            raise ConnectionRefusedError("server restarting")
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    if self.attempt(conn, ident):
                        self.acked.append(ident)
                        i += 1
                    else:
                        time.sleep(0.02)
                except (OSError, http.client.HTTPException):
                    self.unknown += 1
                    if conn is not None:
                        conn.close()
                    conn = None
                    time.sleep(0.01)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.error = e
        finally:
            if conn is not None:
                conn.close()


def test_random_sigkills_lose_no_acknowledged_write(make_server, store_kind):
    seed = int(os.environ.get("THRAD_CRASH_LOOP_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    srv = make_server()
    p = Partner(srv)
    click = p.add_click()
    stop = threading.Event()
    writers = [Writer(p, "collect", f"ev{t}", stop) for t in range(COLLECT_CLIENTS)]
    writers += [Writer(p, "conversion", f"cv{t}", stop, click_id=click)
                for t in range(CONVERSION_CLIENTS)]
    signing_key = SigningKey(srv.cli)
    ad_server = Partner(srv, scopes="clicks")
    writers += [Writer(p, "redirect", f"rd{t}", stop, signing_key=signing_key)
                for t in range(REDIRECT_CLIENTS)]
    writers += [Writer(p, "register", f"rg{t}", stop, ad_server=ad_server)
                for t in range(REGISTER_CLIENTS)]
    for w in writers:
        w.start()
    started = time.monotonic()
    acked_before_kill = []
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.2, 1.2))
            acked_before_kill.append(sum(len(w.acked) for w in writers))
            srv.kill()  # SIGKILL: no shutdown, no flush, the writer dies mid-batch
            srv.start()
        time.sleep(0.5)
    finally:
        stop.set()
        for w in writers:
            w.join(15)
    assert not any(w.is_alive() for w in writers), "writers did not stop"
    for w in writers:
        assert w.error is None, w.error
    # The kills landed while writes were being acknowledged, not between bursts.
    assert all(b > a for a, b in zip(acked_before_kill, acked_before_kill[1:])), acked_before_kill

    events_acked = [i for w in writers if w.kind == "collect" for i in w.acked]
    conversions_acked = [i for w in writers if w.kind == "conversion" for i in w.acked]
    sent = set().union(*(w.sent for w in writers))
    stored_events = collections.Counter(e["event_id"] for e in p.events())
    stored_conversions = collections.Counter(c["dedup_key"] for c in p.conversions())

    clicks_acked = [c for w in writers for c in w.clicks]
    registered_sent = {f"{i}.{j}" for w in writers if w.kind == "register" for i in w.sent
                       for j in range(CLICKS_PER_REGISTRATION)}
    stored_clicks = collections.Counter(c["click_id"] for c in srv.cli.export("clicks",
                                                                            partner=p.id))
    lost_clicks = set(clicks_acked) - set(stored_clicks)
    invented_clicks = {c for c in stored_clicks if c.startswith("rg")} - registered_sent
    lost_events = set(events_acked) - set(stored_events)
    lost_conversions = set(conversions_acked) - set(stored_conversions)
    twice = [k for k, n in (stored_events + stored_conversions).items() if n > 1]
    invented = (set(stored_events) | set(stored_conversions)) - sent
    figures = {
        "store": store_kind,
        "seed": seed,
        "kills": KILLS,
        "seconds": round(time.monotonic() - started, 1),
        "events_acknowledged": len(events_acked),
        "conversions_acknowledged": len(conversions_acked),
        "unknown_outcomes_retried": sum(w.unknown for w in writers),
        "retries_answered_as_duplicates": sum(w.replayed for w in writers),
        "refused_503": sum(w.refused for w in writers),
        "clicks_acknowledged": len(clicks_acked),
        "redirects_without_click_id": sum(w.refused for w in writers if w.kind == "redirect"),
        "lost": len(lost_events) + len(lost_conversions) + len(lost_clicks),
        "stored_twice": len(twice),
    }
    print(f"\ncrash loop figures: {figures}")
    assert not lost_events, f"{len(lost_events)} acknowledged events lost: {sorted(lost_events)[:5]}"
    assert not lost_conversions, f"acknowledged conversions lost: {sorted(lost_conversions)[:5]}"
    assert not lost_clicks, f"acknowledged clicks lost: {sorted(lost_clicks)[:5]}"
    assert not invented_clicks, f"clicks stored but never sent: {sorted(invented_clicks)[:5]}"
    assert not twice, f"stored twice: {twice[:5]}"
    assert not invented, f"stored but never sent: {sorted(invented)[:5]}"
    assert len(events_acked) > 50 and len(conversions_acked) > 50, figures
    assert len(clicks_acked) > 50, figures
