//! Password guessing: the limit must hold against guesses sent all at once (counting and
//! deciding are one step), and it must not hand anyone a way to lock the owner (the admin) out
//! for good: after a few failures each further attempt waits a growing, capped delay.

use std::time::Duration;

use maildesk::Settings;
use maildesk_tests::client::expect_error_for;
use maildesk_tests::poll;
use maildesk_tests::{Backend, TestApp, spawn_app_with};
use protocol::{ErrorCode, Role};

const BACKENDS: [Backend; 2] = [Backend::Postgres, Backend::Sqlite];

async fn guess(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.api.login(email, password).await
}

/// Statuses of `n` wrong guesses sent at once, one per account from `accounts`.
async fn parallel_guesses(app: &TestApp, accounts: impl Fn(usize) -> String, n: usize) -> (usize, usize, Vec<u16>) {
    let tries = (0..n).map(|i| {
        let email = accounts(i);
        async move { guess(app, &email, "wrong-password").await.status().as_u16() }
    });
    let statuses = futures_util::future::join_all(tries).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    (checked, refused, statuses)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_get_no_more_checks_than_the_limit() {
    for backend in BACKENDS {
        // Per account: 5 attempts, the client address out of the way.
        let app = spawn_app_with(backend, |s: &mut Settings| s.auth.login_max_failures_per_ip = 1000).await;
        let victim = app.new_user(Role::Agent).await;
        let (checked, refused, statuses) = parallel_guesses(&app, |_| victim.email.clone(), 50).await;
        assert!(
            checked <= 5,
            "{backend:?}: {checked} of 50 parallel guesses on one account were checked: {statuses:?}"
        );
        assert_eq!(checked + refused, 50, "{backend:?}: {statuses:?}");
        // A refusal says when to come back.
        let r = guess(&app, &victim.email, "wrong-password").await;
        let retry: u64 = r
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{backend:?}: a 429 without Retry-After: {:?}", r.headers()));
        assert!((1..=900).contains(&retry), "{backend:?}: Retry-After {retry}");
        expect_error_for("the next guess", r, 429, ErrorCode::TooManyRequests).await;

        // Per client address: 5 attempts, a different account each time.
        let app = spawn_app_with(backend, |s: &mut Settings| s.auth.login_max_failures_per_ip = 5).await;
        let (checked, _, statuses) = parallel_guesses(&app, |i| format!("nobody-{i}@example.test"), 50).await;
        assert!(
            checked <= 5,
            "{backend:?}: {checked} of 50 parallel guesses from one address were checked: {statuses:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_gets_in_once_the_delay_is_over() {
    for backend in BACKENDS {
        let app = spawn_app_with(backend, |s: &mut Settings| {
            s.auth.login_max_failures_per_account = 3;
            s.auth.login_max_failures_per_ip = 1000;
            s.auth.login_base_delay_ms = 500;
            s.auth.login_max_delay_ms = 1500;
        })
        .await;
        let admin = app.admin.clone();
        for i in 1..=3 {
            let r = guess(&app, &admin.email, "wrong-password").await;
            expect_error_for(
                &format!("{backend:?}: guess {i}"),
                r,
                401,
                ErrorCode::InvalidCredentials,
            )
            .await;
        }
        let r = guess(&app, &admin.email, &admin.password).await;
        expect_error_for(
            &format!("{backend:?}: the right password right after the guesses"),
            r,
            429,
            ErrorCode::TooManyRequests,
        )
        .await;
        // The attacker keeps guessing whenever a guess is admitted; the owner still gets in
        // within the longest delay.
        for round in 0..3 {
            poll::until(
                &format!("{backend:?}: round {round}: an attacker's guess admitted after the delay"),
                Duration::from_secs(10),
                || async { guess(&app, &admin.email, "wrong-password").await.status().as_u16() },
                |s| *s == 401,
            )
            .await;
        }
        poll::until(
            &format!("{backend:?}: the owner signed in"),
            Duration::from_secs(10),
            || async { guess(&app, &admin.email, &admin.password).await.status().as_u16() },
            |s| *s == 200,
        )
        .await;
        // A success forgets the failures: the next wrong password is an ordinary 401.
        expect_error_for(
            &format!("{backend:?}: a typo after signing in"),
            guess(&app, &admin.email, "wrong-password").await,
            401,
            ErrorCode::InvalidCredentials,
        )
        .await;
    }
}
