//! Tokens and sign-in: only HS256 access tokens signed with the server's secret, unexpired and
//! issued for access, open the API; refresh tokens only refresh; wrong passwords and unknown
//! accounts look alike; repeated failures make further attempts on an account wait (in Redis
//! when configured).

use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use maildesk_tests::client::{expect_error, expect_error_for, ok_json};
use maildesk_tests::{Backend, REDIS_URL, TestApp, both_backends};
use protocol::{CreateUser, ErrorCode, RefreshRequest, Role, TokenResponse, User};
use serde::Serialize;

#[derive(Serialize)]
struct Claims {
    sub: String,
    role: &'static str,
    kind: &'static str,
    iat: i64,
    exp: i64,
}

/// The server's claims for `user_id`, expiring `exp_in_secs` from now (negative: in the past).
fn claims(user_id: i64, role: &'static str, kind: &'static str, exp_in_secs: i64) -> Claims {
    let now = Utc::now().timestamp();
    Claims {
        sub: user_id.to_string(),
        role,
        kind,
        iat: now.min(now + exp_in_secs) - 60,
        exp: now + exp_in_secs,
    }
}

fn sign(alg: Algorithm, secret: &[u8], c: &Claims) -> String {
    encode(&Header::new(alg), c, &EncodingKey::from_secret(secret)).expect("signing")
}

/// `{"alg":"none","typ":"JWT"}`, base64url without padding.
const NONE_HEADER: &str = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
const OTHER_SECRET: &[u8] = b"not-the-server-secret-0123456789";

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.api.get(token, "/auth/me").await
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    let req = RefreshRequest {
        refresh_token: token.into(),
    };
    app.api
        .http()
        .post(app.api.url("/auth/refresh"))
        .json(&req)
        .send()
        .await
        .expect("refresh")
}

both_backends!(
    forged_expired_and_wrong_algorithm_tokens_are_refused,
    |app: TestApp| async move {
        let secret = app.jwt_secret();
        let admin = app.admin.id;
        // Our forging is right: a well-formed token with the real secret is accepted…
        let good = sign(Algorithm::HS256, &secret, &claims(admin, "admin", "access", 600));
        let user: User = ok_json(me(&app, &good).await).await;
        assert_eq!(user.id, admin);
        // …so each refusal below is about the one thing that differs.
        let payload = good.split('.').nth(1).expect("payload").to_string();
        let cases = [
            (
                "another secret",
                sign(Algorithm::HS256, OTHER_SECRET, &claims(admin, "admin", "access", 600)),
                ErrorCode::Unauthorized,
            ),
            (
                "expired",
                sign(Algorithm::HS256, &secret, &claims(admin, "admin", "access", -3600)),
                ErrorCode::TokenExpired,
            ),
            (
                "HS384",
                sign(Algorithm::HS384, &secret, &claims(admin, "admin", "access", 600)),
                ErrorCode::Unauthorized,
            ),
            (
                "HS512",
                sign(Algorithm::HS512, &secret, &claims(admin, "admin", "access", 600)),
                ErrorCode::Unauthorized,
            ),
            ("alg none", format!("{NONE_HEADER}.{payload}."), ErrorCode::Unauthorized),
            (
                "signature stripped",
                format!("{}.", good.rsplit_once('.').expect("dots").0),
                ErrorCode::Unauthorized,
            ),
            (
                "a refresh token",
                sign(Algorithm::HS256, &secret, &claims(admin, "admin", "refresh", 600)),
                ErrorCode::Unauthorized,
            ),
            (
                "unknown user",
                sign(Algorithm::HS256, &secret, &claims(987_654_321, "admin", "access", 600)),
                ErrorCode::Unauthorized,
            ),
            ("garbage", "abc".to_string(), ErrorCode::Unauthorized),
        ];
        for (name, token, code) in cases {
            expect_error_for(name, me(&app, &token).await, 401, code).await;
        }
        // A payload swapped under another token's valid signature is refused.
        let customer = app.new_user(Role::Customer).await;
        let mut parts: Vec<&str> = customer.token.split('.').collect();
        parts[1] = &payload;
        expect_error_for(
            "swapped payload",
            me(&app, &parts.join(".")).await,
            401,
            ErrorCode::Unauthorized,
        )
        .await;
        // The real refresh token of a login is not an access token either.
        let login = app.api.login_ok(&customer.email, &customer.password).await;
        expect_error_for(
            "login's refresh token",
            me(&app, &login.refresh_token).await,
            401,
            ErrorCode::Unauthorized,
        )
        .await;
        // The role comes from the account, not the token: a customer claiming admin is a customer.
        let claims_admin = sign(Algorithm::HS256, &secret, &claims(customer.id, "admin", "access", 600));
        let req = CreateUser {
            email: "x@example.test".into(),
            name: "X".into(),
            role: Role::Admin,
            password: None,
            company_id: None,
        };
        let r = app.api.post_json(&claims_admin, "/users", &req).await;
        expect_error_for("customer with an admin role claim", r, 403, ErrorCode::Forbidden).await;

        // Other ways of (not) presenting a token.
        let url = app.api.url("/auth/me");
        let basic_wrapped = format!("Basic {good}");
        for (name, header) in [
            ("Bearer abc", "Bearer abc"),
            ("Basic credentials", "Basic YWRtaW46YWRtaW4="),
            ("a valid token under Basic", basic_wrapped.as_str()),
            ("Bearer and nothing", "Bearer "),
            ("a valid token without scheme", good.as_str()),
        ] {
            let r = app
                .api
                .http()
                .get(&url)
                .header("Authorization", header)
                .send()
                .await
                .expect("GET");
            expect_error_for(name, r, 401, ErrorCode::Unauthorized).await;
        }
    }
);

both_backends!(
    a_refresh_token_buys_a_working_pair_and_nothing_else_does,
    |app: TestApp| async move {
        let agent = app.new_user(Role::Agent).await;
        let login = app.api.login_ok(&agent.email, &agent.password).await;
        let renewed: TokenResponse = ok_json(refresh(&app, &login.refresh_token).await).await;
        assert_eq!((renewed.token_type.as_str(), renewed.user.id), ("Bearer", agent.id));
        assert!(renewed.expires_in > 0);
        let me_now: User = ok_json(me(&app, &renewed.access_token).await).await;
        assert_eq!(me_now.id, agent.id);
        // The new refresh token refreshes again.
        let again: TokenResponse = ok_json(refresh(&app, &renewed.refresh_token).await).await;
        assert_eq!(again.user.id, agent.id);

        let secret = app.jwt_secret();
        let expired = sign(Algorithm::HS256, &secret, &claims(agent.id, "agent", "refresh", -3600));
        let foreign = sign(
            Algorithm::HS256,
            OTHER_SECRET,
            &claims(agent.id, "agent", "refresh", 600),
        );
        let hs512 = sign(Algorithm::HS512, &secret, &claims(agent.id, "agent", "refresh", 600));
        for (name, token, code) in [
            ("an access token", login.access_token.as_str(), ErrorCode::Unauthorized),
            ("garbage", "abc", ErrorCode::Unauthorized),
            ("an expired refresh token", expired.as_str(), ErrorCode::TokenExpired),
            ("another secret", foreign.as_str(), ErrorCode::Unauthorized),
            ("HS512", hs512.as_str(), ErrorCode::Unauthorized),
        ] {
            expect_error_for(name, refresh(&app, token).await, 401, code).await;
        }
    }
);

both_backends!(
    wrong_password_and_unknown_account_look_the_same,
    |app: TestApp| async move {
        let wrong = app.api.login(&app.admin.email, "not-the-password").await;
        let wrong = expect_error(wrong, 401, ErrorCode::InvalidCredentials).await;
        let unknown = expect_error(
            app.api.login("nobody@example.test", "whatever-123").await,
            401,
            ErrorCode::InvalidCredentials,
        )
        .await;
        assert_eq!(wrong.message, unknown.message);
        // Two failures are far from the limit: the admin still signs in.
        app.api.login_ok(&app.admin.email, &app.admin.password).await;
    }
);

both_backends!(
    login_is_throttled_per_account_after_five_failures,
    |app: TestApp| async move {
        let victim = app.new_user(Role::Customer).await;
        let bystander = app.new_user(Role::Customer).await;
        for i in 1..=5 {
            // Capitals do not make another account: the counter is per normalised address.
            let email = if i % 2 == 0 {
                victim.email.to_uppercase()
            } else {
                victim.email.clone()
            };
            let r = app.api.login(&email, "wrong-password").await;
            expect_error_for(&format!("failure {i}"), r, 401, ErrorCode::InvalidCredentials).await;
        }
        let r = app.api.login(&victim.email, &victim.password).await;
        expect_error_for(
            "6th attempt, with the right password",
            r,
            429,
            ErrorCode::TooManyRequests,
        )
        .await;
        // Existing sessions keep working, and other accounts are not locked out.
        assert_eq!(me(&app, &victim.token).await.status(), 200);
        app.api.login_ok(&bystander.email, &bystander.password).await;

        if app.backend == Backend::Postgres {
            let client = redis::Client::open(REDIS_URL).expect("redis url");
            let mut conn = client
                .get_multiplexed_async_connection()
                .await
                .expect("redis connection");
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(format!("{}*", app.redis_prefix))
                .query_async(&mut conn)
                .await
                .expect("KEYS");
            let account = keys
                .iter()
                .find(|k| k.contains("attempts:") && k.contains(&victim.email))
                .unwrap_or_else(|| panic!("no account counter in {keys:?}"));
            let count: u32 = redis::cmd("GET")
                .arg(account)
                .query_async(&mut conn)
                .await
                .expect("GET");
            assert_eq!(count, 5, "{account}");
            let ttl: i64 = redis::cmd("TTL")
                .arg(account)
                .query_async(&mut conn)
                .await
                .expect("TTL");
            assert!(ttl > 0, "the counter must expire (TTL {ttl})");
            let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await.expect("DEL");
        }
    }
);

/// Failed logins from one client, as the proxy forwards them.
async fn fail_from(app: &TestApp, forwarded_for: &str, n: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for i in 0..n {
        // A different account each time: only the per-IP counter can trip.
        let body = serde_json::json!({
            "email": format!("nobody-{i}-{}@example.test", uuid::Uuid::new_v4().simple()),
            "password": "wrong-password",
        });
        let resp = app
            .api
            .http()
            .post(app.api.url("/auth/login"))
            .header("x-forwarded-for", forwarded_for)
            .json(&body)
            .send()
            .await
            .expect("login request");
        statuses.push(resp.status().as_u16());
    }
    statuses
}

/// Behind a trusted proxy the per-IP limit counts each real client (from X-Forwarded-For), so
/// one noisy client does not lock everyone out; from an untrusted peer the header is ignored,
/// so a client cannot pick a fresh address per attempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_ip_limit_sees_clients_through_a_trusted_proxy() {
    let app = maildesk_tests::spawn_app_with(Backend::Sqlite, |s| {
        s.http.trusted_proxies = "127.0.0.1/32".into();
        s.auth.login_max_failures_per_ip = 3;
    })
    .await;
    assert_eq!(fail_from(&app, "203.0.113.7", 4).await, vec![401, 401, 401, 429]);
    // Another client behind the same proxy is not affected.
    assert_eq!(fail_from(&app, "198.51.100.20", 1).await, vec![401]);
    // A client forging a left-hand entry is still counted as what the proxy saw.
    assert_eq!(fail_from(&app, "192.0.2.1, 203.0.113.7", 1).await, vec![429]);

    let direct = maildesk_tests::spawn_app_with(Backend::Sqlite, |s| {
        s.auth.login_max_failures_per_ip = 3;
    })
    .await;
    let statuses = [
        fail_from(&direct, "203.0.113.1", 2).await,
        fail_from(&direct, "203.0.113.2", 2).await,
    ]
    .concat();
    assert_eq!(
        statuses,
        vec![401, 401, 401, 429],
        "no proxy is trusted: the header must not count"
    );
}
