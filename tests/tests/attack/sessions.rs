//! Sessions can be ended: logout, a changed or reset password, a replayed refresh token, the
//! end of an autologin link, a deactivated account. A stolen token must stop working when the
//! owner does something about it, and a socket must not outlive what opened it.

use std::time::Duration;

use base64::Engine;
use maildesk_tests::client::{expect_error, expect_error_for, new_ticket, ok_json};
use maildesk_tests::{Backend, TestApp, TestUser, both_backends, live, spawn_app_with};
use protocol::{ChangePassword, ErrorCode, RefreshRequest, Role, SetPassword, TokenResponse};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    let req = RefreshRequest {
        refresh_token: token.into(),
    };
    app.api.post_json("", "/auth/refresh", &req).await
}

async fn logout(app: &TestApp, token: &str) -> reqwest::Response {
    let req = RefreshRequest {
        refresh_token: token.into(),
    };
    app.api.post_json("", "/auth/logout", &req).await
}

async fn me_status(app: &TestApp, access: &str) -> u16 {
    app.api.get(access, "/auth/me").await.status().as_u16()
}

/// A token's `exp` claim, read without checking the signature (the server made it).
fn exp_of(jwt: &str) -> i64 {
    let payload = jwt.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    let claims: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON claims");
    claims["exp"].as_i64().expect("an exp claim")
}

both_backends!(logout_ends_the_session, |app: TestApp| async move {
    let agent = app.new_user(Role::Agent).await;
    let other = app.api.login_ok(&agent.email, &agent.password).await;
    let session = app.api.login_ok(&agent.email, &agent.password).await;
    let r = logout(&app, &session.refresh_token).await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap_or_default());
    expect_error_for(
        "refreshing a logged-out session",
        refresh(&app, &session.refresh_token).await,
        401,
        ErrorCode::Unauthorized,
    )
    .await;
    // Only that session ended: the same user's other sign-in goes on.
    let renewed: TokenResponse = ok_json(refresh(&app, &other.refresh_token).await).await;
    assert_eq!(me_status(&app, &renewed.access_token).await, 200);
    // Logging out again (or with garbage) is harmless.
    assert_eq!(logout(&app, &session.refresh_token).await.status(), 204);
    assert_eq!(logout(&app, "garbage").await.status(), 204);
});

both_backends!(
    a_replayed_refresh_token_ends_the_whole_family,
    |app: TestApp| async move {
        let customer = app.new_user(Role::Customer).await;
        let login = app.api.login_ok(&customer.email, &customer.password).await;
        let first: TokenResponse = ok_json(refresh(&app, &login.refresh_token).await).await;
        assert_ne!(first.refresh_token, login.refresh_token, "the refresh token rotates");
        // The thief (or the owner) replays the rotated-away token: refused…
        expect_error_for(
            "a rotated-away refresh token",
            refresh(&app, &login.refresh_token).await,
            401,
            ErrorCode::Unauthorized,
        )
        .await;
        // …and the newest one of the family is dead too: both sides must sign in again.
        expect_error_for(
            "the family's newest refresh token after a replay",
            refresh(&app, &first.refresh_token).await,
            401,
            ErrorCode::Unauthorized,
        )
        .await;
        app.api.login_ok(&customer.email, &customer.password).await;
    }
);

/// Two refreshes with one token at the same moment: exactly one gets a pair.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_use_of_one_refresh_token_wins_at_most_once() {
    let app = maildesk_tests::spawn_app().await;
    let login = app.api.login_ok(&app.admin.email, &app.admin.password).await;
    let tries = (0..8).map(|_| refresh(&app, &login.refresh_token));
    let statuses: Vec<u16> = futures_util::future::join_all(tries)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(
        statuses.iter().filter(|s| **s == 200).count() <= 1,
        "one refresh token bought several pairs: {statuses:?}"
    );
}

async fn change_password(app: &TestApp, access: &str, current: &str, new: &str) -> reqwest::Response {
    let req = ChangePassword {
        current_password: current.into(),
        new_password: new.into(),
    };
    app.api.post_json(access, "/auth/password", &req).await
}

/// The password changed by its owner: every session (this one, another device's) ends, the
/// old password no longer signs in, the new one does.
async fn owner_changes_password(app: &TestApp, user: &TestUser) {
    let elsewhere = app.api.login_ok(&user.email, &user.password).await;
    let here = app.api.login_ok(&user.email, &user.password).await;
    expect_error_for(
        "a wrong current password",
        change_password(app, &here.access_token, "not-my-password", "new-password-456").await,
        401,
        ErrorCode::InvalidCredentials,
    )
    .await;
    let fresh: TokenResponse =
        ok_json(change_password(app, &here.access_token, &user.password, "new-password-456").await).await;
    for (name, access) in [
        ("this session's old access token", &here.access_token),
        ("another device's access token", &elsewhere.access_token),
        ("the access token of the first login", &user.token),
    ] {
        expect_error_for(
            name,
            app.api.get(access, "/auth/me").await,
            401,
            ErrorCode::Unauthorized,
        )
        .await;
    }
    for (name, r) in [
        ("this session's refresh token", &here.refresh_token),
        ("another device's refresh token", &elsewhere.refresh_token),
    ] {
        expect_error_for(name, refresh(app, r).await, 401, ErrorCode::Unauthorized).await;
    }
    assert_eq!(me_status(app, &fresh.access_token).await, 200);
    ok_json::<TokenResponse>(refresh(app, &fresh.refresh_token).await).await;
    expect_error(
        app.api.login(&user.email, &user.password).await,
        401,
        ErrorCode::InvalidCredentials,
    )
    .await;
    app.api.login_ok(&user.email, "new-password-456").await;
}

both_backends!(changing_ones_password_ends_every_session, |app: TestApp| async move {
    let agent = app.new_user(Role::Agent).await;
    owner_changes_password(&app, &agent).await;
});

/// The first admin replaces the password printed at first start-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_admin_replaces_the_one_time_password() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let admin = app.admin.clone();
    owner_changes_password(&app, &admin).await;
}

both_backends!(
    an_admin_password_reset_ends_every_session_of_the_user,
    |app: TestApp| async move {
        let agent = app.new_user(Role::Agent).await;
        let other = app.new_user(Role::Agent).await;
        let session = app.api.login_ok(&agent.email, &agent.password).await;
        let set = SetPassword {
            password: "reset-password-789".into(),
        };
        let path = format!("/users/{}/password", agent.id);
        // Only admins reset passwords.
        expect_error(
            app.api.put_json(&other.token, &path, &set).await,
            403,
            ErrorCode::Forbidden,
        )
        .await;
        assert_eq!(me_status(&app, &session.access_token).await, 200);

        let r = app.api.put_json(&app.admin.token, &path, &set).await;
        assert_eq!(r.status(), 204, "{}", r.text().await.unwrap_or_default());
        expect_error(
            app.api.get(&session.access_token, "/auth/me").await,
            401,
            ErrorCode::Unauthorized,
        )
        .await;
        expect_error(
            refresh(&app, &session.refresh_token).await,
            401,
            ErrorCode::Unauthorized,
        )
        .await;
        app.api.login_ok(&agent.email, "reset-password-789").await;
        // Other users' sessions are untouched.
        assert_eq!(me_status(&app, &other.token).await, 200);
    }
);

/// An autologin link is good for 3 days; the session it opens must not outlive it by being
/// refreshed (refresh tokens otherwise last 30 days).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_autologin_session_ends_with_its_link() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let customer = app.new_user(Role::Customer).await;
    let t = app
        .api
        .create_ticket(&customer.token, &new_ticket("Where is my parcel?"))
        .await
        .ticket;
    let link_exp = chrono::Utc::now().timestamp() + 3 * 86_400;
    let link = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &serde_json::json!({ "purpose": "autologin", "sub": customer.id, "tkt": t.id, "exp": link_exp }),
        &jsonwebtoken::EncodingKey::from_secret(&app.jwt_secret()),
    )
    .expect("signing a link");
    let session: TokenResponse = ok_json(
        app.api
            .post_json("", "/auth/autologin", &serde_json::json!({ "token": link }))
            .await,
    )
    .await;
    let renewed: TokenResponse = ok_json(refresh(&app, &session.refresh_token).await).await;
    for (name, token) in [
        ("the autologin refresh token", &session.refresh_token),
        ("the autologin access token", &session.access_token),
        ("a refreshed refresh token", &renewed.refresh_token),
        ("a refreshed access token", &renewed.access_token),
    ] {
        assert!(
            exp_of(token) <= link_exp,
            "{name} expires {}s after its link",
            exp_of(token) - link_exp
        );
    }
    // A session from a link cannot set a password (it never proved knowing one).
    expect_error(
        change_password(&app, &renewed.access_token, "", "new-password-456").await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
}

async fn set_user(app: &TestApp, id: i64, col: entity::user::Column, value: sea_orm::Value) {
    entity::user::Entity::update_many()
        .col_expr(col, Expr::value(value))
        .filter(entity::user::Column::Id.eq(id))
        .exec(app.ctx.db())
        .await
        .expect("updating the user");
}

both_backends!(
    a_socket_closes_when_its_user_is_deactivated_or_changes_role,
    |app: TestApp| async move {
        let leaver = app.new_user(Role::Agent).await;
        let demoted = app.new_user(Role::Agent).await;
        let mut leaver_socket = live::connect(app.port, &leaver.token).await;
        let mut demoted_socket = live::connect(app.port, &demoted.token).await;
        set_user(&app, leaver.id, entity::user::Column::IsActive, false.into()).await;
        set_user(&app, demoted.id, entity::user::Column::Role, "customer".into()).await;
        assert!(
            leaver_socket.closed_within(Duration::from_secs(20)).await.is_some(),
            "a deactivated user's socket stayed open"
        );
        assert!(
            demoted_socket.closed_within(Duration::from_secs(20)).await.is_some(),
            "the socket of a user whose role changed stayed open"
        );
    }
);

/// A socket lives no longer than the credential it was opened with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_closes_when_its_token_expires() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.auth.access_ttl_secs = 4).await;
    // A fresh sign-in: the socket opens well within the token's 4 s.
    let session = app.api.login_ok(&app.admin.email, &app.admin.password).await;
    let mut socket = live::connect(app.port, &session.access_token).await;
    let reason = socket
        .closed_within(Duration::from_secs(15))
        .await
        .expect("the socket outlived its token");
    assert!(reason.contains("expired"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_cannot_reset_their_own_password_without_the_current_one() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let set = SetPassword {
        password: "reset-password-789".into(),
    };
    let path = format!("/users/{}/password", app.admin.id);
    expect_error(
        app.api.put_json(&app.admin.token, &path, &set).await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    assert_eq!(me_status(&app, &app.admin.token).await, 200);
}

both_backends!(a_password_reset_closes_the_users_sockets, |app: TestApp| async move {
    let agent = app.new_user(Role::Agent).await;
    let mut socket = live::connect(app.port, &agent.token).await;
    let set = SetPassword {
        password: "reset-password-789".into(),
    };
    let r = app
        .api
        .put_json(&app.admin.token, &format!("/users/{}/password", agent.id), &set)
        .await;
    assert_eq!(r.status(), 204);
    assert!(
        socket.closed_within(Duration::from_secs(20)).await.is_some(),
        "a socket survived its user's password reset"
    );
});
