#!/usr/bin/env python3
"""End-to-end check of the OAuth2 mail login rig: scripts/oauth.sh (the authorization server),
scripts/dovecot.sh (IMAP, POP3: XOAUTH2 / OAUTHBEARER validated locally) and scripts/smtp.sh
(Postfix SMTP AUTH through Dovecot). Standard library only. Start the three scripts first, then:

    python3 scripts/oauth-check.py            # everything (waits 31 s once for a token to expire)
    python3 scripts/oauth-check.py --quick    # without the expiry wait
    python3 scripts/oauth-check.py -v         # also print the raw SASL failure dialogues

Exits 1 when any check fails, naming it. Ports follow the scripts' environment variables."""
import base64
import hashlib
import imaplib
import json
import os
import secrets
import smtplib
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ENV = os.environ.get
ISSUER = ENV("MAILDESK_OAUTH_ISSUER", f"http://127.0.0.1:{ENV('MAILDESK_OAUTH_PORT', '10180')}")
HOST = "127.0.0.1"
IMAP_PORT = int(ENV("MAILDESK_DOVECOT_PORT", "10143"))
POP3_PORT = int(ENV("MAILDESK_DOVECOT_POP3_PORT", "10110"))
SUBMISSION_PORT = int(ENV("MAILDESK_SMTP_SUBMISSION_PORT", "10587"))
SMTPS_PORT = int(ENV("MAILDESK_SMTP_SMTPS_PORT", "10465"))
CA = os.path.join(ENV("MAILDESK_DOVECOT_DIR", "/tmp/maildesk-dovecot"), "tls", "ca.pem")
REDIRECT = "http://127.0.0.1:9/cb"
ALICE, BOB = "alice@example.test", "bob@example.test"
VERBOSE = "-v" in sys.argv
failures = []


def check(name, ok, detail=""):
    detail = str(detail)
    if ok and len(detail) > 300:
        detail = detail[:300] + "…"
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f"  ({detail})" if detail and (not ok or VERBOSE) else ""))
    if not ok:
        failures.append(name)
    return ok


def b64(data):
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# --- OAuth2 -----------------------------------------------------------------------------------

def http(method, url, form=None, headers=None):
    """(status, headers, body) without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=10) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(disco, login_hint, client_id, challenge=None, scope="openid email offline_access"):
    """The query of the Location the authorize endpoint redirects to, and the state sent."""
    state = secrets.token_urlsafe(8)
    q = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": scope,
         "state": state, "login_hint": login_hint}
    if challenge:
        q.update(code_challenge=challenge, code_challenge_method="S256")
    status, headers, _ = http("GET", disco["authorization_endpoint"] + "?" + urllib.parse.urlencode(q))
    location = headers.get("Location", "")
    check(f"authorize {login_hint} redirects to redirect_uri", status in (302, 303) and location.startswith(REDIRECT),
          f"{status} {location}")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query)), state


def token_request(disco, form, basic=None):
    headers = {}
    if basic:
        headers["Authorization"] = "Basic " + b64(f"{urllib.parse.quote(basic[0])}:{urllib.parse.quote(basic[1])}")
    status, _, body = http("POST", disco["token_endpoint"], form, headers)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"raw": body}


def code_flow(disco, login_hint, client_id="maildesk-test", secret="s3cret", basic=False,
              scope="openid email offline_access"):
    verifier, challenge = pkce()
    q, _ = authorize(disco, login_hint, client_id, challenge, scope)
    form = {"grant_type": "authorization_code", "code": q.get("code", ""), "redirect_uri": REDIRECT,
            "code_verifier": verifier}
    if basic:
        status, body = token_request(disco, form, (client_id, secret))
    else:
        status, body = token_request(disco, {**form, "client_id": client_id, "client_secret": secret})
    check(f"code exchange for {login_hint} ({'client_secret_basic' if basic else 'client_secret_post'})",
          status == 200 and "access_token" in body and "refresh_token" in body, f"{status} {body}")
    return body


def jwt_parts(token):
    h, p, s = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p)), h, p, s


def rs256_valid(token, jwks):
    """RSASSA-PKCS1-v1_5 / SHA-256 check against the JWKS (no crypto library needed)."""
    header, _, h, p, s = jwt_parts(token)
    key = next((k for k in jwks["keys"] if k["kid"] == header.get("kid")), None)
    if key is None:
        return False
    n = int.from_bytes(b64url_decode(key["n"]), "big")
    e = int.from_bytes(b64url_decode(key["e"]), "big")
    k = (n.bit_length() + 7) // 8
    em = pow(int.from_bytes(b64url_decode(s), "big"), e, n).to_bytes(k, "big")
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(f"{h}.{p}".encode()).digest()
    return em == b"\x00\x01" + b"\xff" * (k - len(digest_info) - 3) + b"\x00" + digest_info


def stats(email):
    _, _, body = http("GET", f"{ISSUER}/_control/stats?" + urllib.parse.urlencode({"email": email}))
    return json.loads(body)


# --- SASL initial responses -------------------------------------------------------------------

def xoauth2(user, token):
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def oauthbearer(user, token, port):
    return f"n,a={user},\x01host={HOST}\x01port={port}\x01auth=Bearer {token}\x01\x01"


# --- IMAP / POP3 over raw sockets (to see every line) ---------------------------------------------

class Line:
    def __init__(self, port):
        self.sock = socket.create_connection((HOST, port), timeout=10)
        self.file = self.sock.makefile("rb")
        self.log = []

    def read(self):
        line = self.file.readline().decode().rstrip("\r\n")
        self.log.append("S: " + line)
        return line

    def send(self, line):
        self.log.append("C: " + line)
        self.sock.sendall(line.encode() + b"\r\n")

    def close(self):
        self.sock.close()


def imap_auth(mech, initial, sasl_ir=True):
    """Authenticates; on a challenge answers with an empty line. (ok, transcript, connection)."""
    c = Line(IMAP_PORT)
    c.read()
    if sasl_ir:
        c.send(f"a AUTHENTICATE {mech} {b64(initial)}")
    else:
        c.send(f"a AUTHENTICATE {mech}")
        if c.read().startswith("+"):
            c.send(b64(initial))
    line = c.read()
    while line.startswith("+"):
        if line[1:].strip():
            c.log.append("   (challenge decoded: " + base64.b64decode(line[2:]).decode(errors="replace") + ")")
        c.send("")
        line = c.read()
    while not line.startswith("a "):
        line = c.read()
    return line.startswith("a OK"), c


def imap_select(c):
    c.send("b SELECT INBOX")
    line = c.read()
    while not line.startswith("b "):
        line = c.read()
    c.send("c LOGOUT")
    return line.startswith("b OK")


def pop3_auth(mech, initial):
    c = Line(POP3_PORT)
    c.read()
    c.send(f"AUTH {mech} {b64(initial)}")
    line = c.read()
    while line.startswith("+ ") or line == "+":
        if line[1:].strip():
            c.log.append("   (challenge decoded: " + base64.b64decode(line[2:]).decode(errors="replace") + ")")
        c.send("")
        line = c.read()
    ok = line.startswith("+OK")
    if ok:
        c.send("STAT")
        ok = c.read().startswith("+OK")
    c.send("QUIT")
    return ok, c


def smtp_connect(port):
    ctx = ssl.create_default_context(cafile=CA)
    if port == SMTPS_PORT:
        s = smtplib.SMTP_SSL(HOST, port, context=ctx, timeout=10)
    else:
        s = smtplib.SMTP(HOST, port, timeout=10)
        s.ehlo()
        s.starttls(context=ctx)
    s.ehlo("check.maildesk.test")
    return s


def smtp_auth(port, mech, initial):
    """(ok, transcript, smtp) — on a 334 challenge answers with an empty line."""
    s = smtp_connect(port)
    log = [f"C: AUTH {mech} {b64(initial)}"]
    code, resp = s.docmd("AUTH", f"{mech} {b64(initial)}")
    log.append(f"S: {code} {resp.decode()}")
    while code == 334:
        log.append("   (challenge decoded: " + base64.b64decode(resp).decode(errors="replace") + ")")
        code, resp = s.docmd("")
        log.append("C: ")
        log.append(f"S: {code} {resp.decode()}")
    return code == 235, log, s


def show(title, log):
    if VERBOSE:
        print(f"   --- {title}")
        for line in log:
            print("   " + line)


def main():
    # Discovery
    status, _, body = http("GET", f"{ISSUER}/.well-known/openid-configuration")
    if not check("discovery answers", status == 200, f"{status} {body[:200]}"):
        print("Is the OAuth server running? bash scripts/oauth.sh")
        return
    disco = json.loads(body)
    for key in ("issuer", "token_endpoint", "authorization_endpoint", "revocation_endpoint", "jwks_uri", "userinfo_endpoint"):
        check(f"discovery names {key}", disco.get(key, "").startswith(ISSUER), disco.get(key))
    check("issuer is the 127.0.0.1 URL Dovecot trusts", disco["issuer"] == ISSUER, disco["issuer"])
    jwks = json.loads(http("GET", disco["jwks_uri"])[2])

    before = stats(ALICE)
    # Authorization code + PKCE, both client authentication methods
    tokens = code_flow(disco, ALICE)
    tokens_basic = code_flow(disco, ALICE, basic=True)
    access = tokens["access_token"]
    header, claims, *_ = jwt_parts(access)
    check("access token header kid/alg", header.get("kid") == "maildesk-test-rs256" and header.get("alg") == "RS256", header)
    check("access token claims email/sub/preferred_username/upn", all(claims.get(k) == ALICE for k in ("email", "sub", "preferred_username", "upn")), claims)
    check("access token iss", claims.get("iss") == ISSUER, claims.get("iss"))
    check("access token lives 3600 s", claims["exp"] - claims["iat"] == 3600 and tokens.get("expires_in") == 3600, claims)
    check("access token signature verifies against jwks", rs256_valid(access, jwks))
    check("client_secret_basic token is alice's too", jwt_parts(tokens_basic["access_token"])[1].get("email") == ALICE)
    id_claims = jwt_parts(tokens.get("id_token", "e30.e30.x"))[1] if "id_token" in tokens else {}
    check("id token carries email", id_claims.get("email") == ALICE and id_claims.get("aud") == "maildesk-test", id_claims)
    status, _, body = http("GET", disco["userinfo_endpoint"], headers={"Authorization": f"Bearer {access}"})
    check("userinfo names alice", status == 200 and json.loads(body).get("email") == ALICE, f"{status} {body}")
    no_openid = code_flow(disco, ALICE, client_id="maildesk-test2", scope="email offline_access")
    check("no id token without scope openid", "id_token" not in no_openid, no_openid)

    # IMAP
    for mech, initial in (("XOAUTH2", xoauth2(ALICE, access)), ("OAUTHBEARER", oauthbearer(ALICE, access, IMAP_PORT))):
        for ir in (True, False):
            ok, c = imap_auth(mech, initial, sasl_ir=ir)
            check(f"IMAP AUTHENTICATE {mech} ({'SASL-IR' if ir else 'no SASL-IR'}) + SELECT INBOX", ok and imap_select(c), c.log)
            c.close()
    forged = access.split(".")
    forged[1] = base64.urlsafe_b64encode(json.dumps({**claims, "email": BOB, "sub": BOB}).encode()).rstrip(b"=").decode()
    forged = ".".join(forged)
    bad_cases = {
        "garbage token": ALICE, "forged token (bob's claims, alice's signature)": BOB,
        "alice's token used as bob": BOB, "the password as token": ALICE,
    }
    bad_tokens = {"garbage token": "not-a-token", "forged token (bob's claims, alice's signature)": forged,
                  "alice's token used as bob": access, "the password as token": "secret"}
    for case, user in bad_cases.items():
        for mech in ("XOAUTH2", "OAUTHBEARER"):
            initial = xoauth2(user, bad_tokens[case]) if mech == "XOAUTH2" else oauthbearer(user, bad_tokens[case], IMAP_PORT)
            ok, c = imap_auth(mech, initial)
            check(f"IMAP {mech} refuses {case}", not ok, c.log)
            show(f"IMAP {mech}, {case}", c.log)
            c.close()
    ok, c = imap_auth("XOAUTH2", xoauth2(BOB, access), sasl_ir=False)
    show("IMAP XOAUTH2 without SASL-IR, alice's token as bob", c.log)
    check("IMAP XOAUTH2 (no SASL-IR) refuses another user's token", not ok, c.log)
    c.close()
    ok, c = imap_auth("PLAIN", f"\0{ALICE}\0{access}")
    check("IMAP PLAIN refuses a token as password", not ok, c.log)
    c.close()

    # POP3
    for mech, initial in (("XOAUTH2", xoauth2(ALICE, access)), ("OAUTHBEARER", oauthbearer(ALICE, access, POP3_PORT))):
        ok, c = pop3_auth(mech, initial)
        check(f"POP3 AUTH {mech} + STAT", ok, c.log)
        c.close()
        ok, c = pop3_auth(mech, xoauth2(BOB, access) if mech == "XOAUTH2" else oauthbearer(BOB, access, POP3_PORT))
        check(f"POP3 {mech} refuses another user's token", not ok, c.log)
        show(f"POP3 {mech}, alice's token as bob", c.log)
        c.close()

    # SMTP (submission with STARTTLS, and SMTPS)
    subject = f"oauth-check {secrets.token_hex(6)}"
    for port in (SUBMISSION_PORT, SMTPS_PORT):
        s = smtp_connect(port)
        offered = s.esmtp_features.get("auth", "").upper().split()
        check(f"SMTP {port} offers XOAUTH2 and OAUTHBEARER", {"XOAUTH2", "OAUTHBEARER", "PLAIN"} <= set(offered), offered)
        s.quit()
        for mech, initial in (("XOAUTH2", xoauth2(ALICE, access)), ("OAUTHBEARER", oauthbearer(ALICE, access, port))):
            ok, log, s = smtp_auth(port, mech, initial)
            if check(f"SMTP {port} AUTH {mech}", ok, log) and port == SUBMISSION_PORT and mech == "XOAUTH2":
                refused = s.sendmail(ALICE, [BOB], f"From: {ALICE}\r\nTo: {BOB}\r\nSubject: {subject}\r\n\r\nhello\r\n")
                check("SMTP accepts mail to bob after XOAUTH2", refused == {}, refused)
            s.quit()
            ok, log, s = smtp_auth(port, mech, xoauth2(BOB, access) if mech == "XOAUTH2" else oauthbearer(BOB, access, port))
            check(f"SMTP {port} {mech} refuses another user's token", not ok, log)
            show(f"SMTP {port} {mech}, alice's token as bob", log)
            s.close()

    # Passwords keep working everywhere
    m = imaplib.IMAP4(HOST, IMAP_PORT)
    m.login(BOB, "secret")
    found = []
    for _ in range(40):  # delivery goes through Postfix and LMTP
        m.select("INBOX")
        found = m.search(None, "SUBJECT", f'"{subject}"')[1][0].split()
        if found:
            break
        time.sleep(0.25)
    check("IMAP LOGIN with password secret; bob received the XOAUTH2-sent mail", bool(found))
    m.logout()
    ok, c = imap_auth("PLAIN", f"\0someone-{secrets.token_hex(3)}@example.test\0secret")
    check("IMAP AUTHENTICATE PLAIN with secret", ok, c.log)
    c.close()
    c = Line(POP3_PORT)
    c.read()
    c.send(f"USER {BOB}")
    c.read()
    c.send("PASS secret")
    check("POP3 USER/PASS with secret", c.read().startswith("+OK"), c.log)
    c.send("QUIT")
    c.close()
    s = smtp_connect(SUBMISSION_PORT)
    try:
        s.login(ALICE, "secret")
        check("SMTP AUTH PLAIN/LOGIN with secret", True)
    except smtplib.SMTPException as e:
        check("SMTP AUTH PLAIN/LOGIN with secret", False, e)
    s.quit()

    # Refresh, rotation, revocation
    status, body = token_request(disco, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                         "client_id": "maildesk-test", "client_secret": "s3cret"})
    refreshed = body.get("access_token", "")
    check("refresh returns a new access token for alice", status == 200 and refreshed != access
          and jwt_parts(refreshed)[1].get("email") == ALICE, f"{status} {body}")
    ok, c = imap_auth("XOAUTH2", xoauth2(ALICE, refreshed))
    check("IMAP XOAUTH2 with the refreshed token", ok, c.log)
    c.close()
    successor = body.get("refresh_token")
    status, body = token_request(disco, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                         "client_id": "maildesk-test"})
    check("a rotated-away refresh token still works until revoked", status == 200, f"{status} {body}")
    status, _, _ = http("POST", disco["revocation_endpoint"], {"token": tokens["refresh_token"], "token_type_hint": "refresh_token",
                                                              "client_id": "maildesk-test", "client_secret": "s3cret"})
    check("revocation endpoint answers 200", status == 200, status)
    for which, rt in (("the revoked refresh token", tokens["refresh_token"]), ("its rotated successor", successor)):
        status, body = token_request(disco, {"grant_type": "refresh_token", "refresh_token": rt, "client_id": "maildesk-test"})
        check(f"refresh with {which} -> 400 invalid_grant", status == 400 and body.get("error") == "invalid_grant", f"{status} {body}")
    status, body = token_request(disco, {"grant_type": "refresh_token", "refresh_token": tokens_basic["refresh_token"]},
                                 ("maildesk-test", "s3cret"))
    check("another family's refresh token still works", status == 200, f"{status} {body}")
    status, body = token_request(disco, {"grant_type": "refresh_token", "refresh_token": "made-up", "client_id": "maildesk-test"})
    check("unknown refresh token -> 400 invalid_grant", status == 400 and body.get("error") == "invalid_grant", f"{status} {body}")

    # Code misuse, PKCE, consent
    verifier, challenge = pkce()
    q, _ = authorize(disco, ALICE, "maildesk-test", challenge)
    form = {"grant_type": "authorization_code", "code": q["code"], "redirect_uri": REDIRECT, "client_id": "maildesk-test"}
    status, body = token_request(disco, {**form, "code_verifier": pkce()[0]})
    check("wrong code_verifier -> 400 invalid_grant", status == 400 and body.get("error") == "invalid_grant", f"{status} {body}")
    status, body = token_request(disco, {**form, "code_verifier": verifier})
    check("a code is dead after a failed attempt", status == 400 and body.get("error") == "invalid_grant", f"{status} {body}")
    q, _ = authorize(disco, ALICE, "maildesk-test", challenge)
    status, body = token_request(disco, {**form, "code": q["code"]})
    check("missing code_verifier -> 400 invalid_grant", status == 400 and body.get("error") == "invalid_grant", f"{status} {body}")
    q, _ = authorize(disco, ALICE, "maildesk-test", challenge)
    status, body = token_request(disco, {**form, "code": q["code"], "code_verifier": verifier})
    check("right code_verifier -> 200", status == 200, f"{status} {body}")
    status, body = token_request(disco, {**form, "code": q["code"], "code_verifier": verifier})
    check("replayed code -> 400 invalid_grant", status == 400 and body.get("error") == "invalid_grant", f"{status} {body}")
    q, state = authorize(disco, "deny-me@example.test", "maildesk-test", challenge)
    check("deny@ login_hint -> error=access_denied, state kept, no code",
          q.get("error") == "access_denied" and q.get("state") == state and "code" not in q and q.get("error_description"), q)

    # Statistics: 3 code_flow exchanges + 1 "right verifier"; 2 refreshes of the first family, 1 of the second
    after = stats(ALICE)
    check("stats count code exchanges", after["code_exchanges"] - before["code_exchanges"] == 4, (before, after))
    check("stats count refreshes", after["refreshes"] - before["refreshes"] == 3, (before, after))
    check("stats of an unknown email are zero", stats("nobody@example.test") == {"code_exchanges": 0, "refreshes": 0})

    # Short-lived tokens: 30 s, then Dovecot refuses them and a refresh brings a working one
    short = code_flow(disco, ALICE, client_id="short-check")
    sc = jwt_parts(short["access_token"])[1]
    check("short- client: access token lives 30 s", sc["exp"] - sc["iat"] == 30 and short.get("expires_in") == 30, sc)
    if "--quick" not in sys.argv:
        time.sleep(31)
        ok, c = imap_auth("XOAUTH2", xoauth2(ALICE, short["access_token"]))
        check("IMAP refuses an expired token", not ok, c.log)
        show("IMAP XOAUTH2, expired token", c.log)
        c.close()
        status, body = token_request(disco, {"grant_type": "refresh_token", "refresh_token": short["refresh_token"], "client_id": "short-check"})
        ok, c = imap_auth("OAUTHBEARER", oauthbearer(ALICE, body.get("access_token", ""), IMAP_PORT))
        check("IMAP accepts the refreshed short-lived token", status == 200 and ok, c.log)
        c.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash is a failure too, with its cause
        import traceback
        traceback.print_exc()
        failures.append(f"crashed: {e!r}")
        if isinstance(e, OSError):
            print("Is the rig running? bash scripts/dovecot.sh; bash scripts/smtp.sh; bash scripts/oauth.sh")
    print(f"{len(failures)} failed" + (": " + "; ".join(failures) if failures else ""))
    sys.exit(1 if failures else 0)
