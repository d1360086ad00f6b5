"""Issue 19, item 4: every JSON the project prints writes a number the way a client would:
doubles in their shortest round-trip form without a needless exponent (49.99, not 4.999E1),
integers exactly as sent. Checked on the raw text, not on parsed values."""

import json
import re

from helpers import uid

# What the client sends (raw JSON text) and what every output must print for it.
PARAMS_SENT = ('{"price":49.99,"whole":10.0,"small":0.008947041,"huge":1e21,"neg_zero":-0.0,'
               '"big_int":9007199254740993,"u64":18446744073709551615,'
               '"i64":-9223372036854775808,"int":10}')
PARAMS_PRINTED = ('"price":49.99,"whole":10,"small":0.008947041,"huge":1e21,"neg_zero":-0.0,'
                  '"big_int":9007199254740993,"u64":18446744073709551615,'
                  '"i64":-9223372036854775808,"int":10')
EXPONENT_FORM = re.compile(r"\d[eE][+-]?\d")


def test_export_prints_params_and_extras_as_sent(partner):
    eid = uid("num-")
    body = ('{"event_name":"n","event_id":"%s","params":%s,"cart":{"total":49.99,"tax":1E1},'
            '"consent":{"v":2.50}}') % (eid, PARAMS_SENT)
    # consent is a field here, not an extra: stored as given.
    r = partner.collect(body.encode())
    assert r.status == 204, r
    text = partner.cli.run("export events", "--partner", partner.id).stdout.decode()
    line = next(l for l in text.splitlines() if eid in l)
    assert PARAMS_PRINTED in line, line
    assert '"cart":{"total":49.99,"tax":10}' in line, line
    assert '"consent":{"v":2.5}' in line, line
    assert "E" not in re.sub(r'"[^"]*"', "", line), line  # no Boost-style 4.999E1 anywhere


def test_conversion_extras_and_batch_answers(partner):
    click = partner.add_click()
    body = ('{"click_id":"%s","conversion_time":"2026-02-19T18:00:00Z","conversion_value":49.99,'
            '"currency":"USD","basket":%s}') % (click, PARAMS_SENT)
    r = partner.conversion(body.encode(), idem=uid("n-"))
    assert r.status == 200, r
    text = partner.cli.run("export conversions", "--partner", partner.id).stdout.decode()
    assert '"conversion_value":49.99,' in text, text
    assert '"basket":{' + PARAMS_PRINTED + "}" in text, text


def test_cli_json_prints_doubles_plainly(partner, tmp_path, store_kind):
    cli = partner.cli
    out = cli.run("keys update", partner.key_id, "--rate-limit-rps", "10", "--json").stdout.decode()
    assert '"rate_limit_rps":10,' in out, out
    out = cli.run("keys update", partner.key_id, "--rate-limit-rps", "0.5", "--json").stdout.decode()
    assert '"rate_limit_rps":0.5,' in out, out
    out = cli.run("keys list", "--partner", partner.id, "--json").stdout.decode()
    assert '"rate_limit_rps":0.5,' in out, out
    if store_kind == "sqlite":  # backup copies SQLite only
        out = cli.run("backup", str(tmp_path / "copy.db"), "--json").stdout.decode()
        assert not EXPONENT_FORM.search(out), out
        assert json.loads(out)["seconds"] > 0, out
