//! The OAuth side of the mail tests: the private authorization server (`scripts/oauth.sh`,
//! the npm package oauth2-mock-server with our driver) and a stand-in for the admin's browser
//! going through "Connect" → provider → `/oauth/callback`.

use std::sync::OnceLock;

use protocol::{OAuthApp, OAuthProvider, OAuthStart};
use reqwest::redirect::Policy;

use crate::TestApp;

/// The issuer URL of the running test authorization server (started if need be).
pub fn issuer() -> String {
    static ISSUER: OnceLock<String> = OnceLock::new();
    ISSUER
        .get_or_init(|| {
            let out = std::process::Command::new("bash")
                .arg(crate::workspace_root().join("scripts/oauth.sh"))
                .output()
                .expect("running scripts/oauth.sh");
            assert!(
                out.status.success(),
                "the test OAuth server did not start (bash scripts/oauth.sh): {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .last()
                .unwrap_or("http://127.0.0.1:10180")
                .trim()
                .to_owned()
        })
        .clone()
}

/// The application every test mailbox uses: the test server as an OpenID provider.
pub fn test_app(client_id: &str) -> OAuthApp {
    OAuthApp {
        provider: OAuthProvider::Oidc,
        tenant: None,
        client_id: client_id.into(),
        client_secret: Some("test-secret".into()),
        issuer: Some(issuer()),
        scopes: None,
    }
}

/// What the admin's browser ended on.
#[derive(Debug)]
pub struct Landing {
    pub status: u16,
    pub page: String,
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("an HTTP client")
}

/// Starts "Connect" for `mailbox_id`: the provider's URL and the browser cookie it set.
pub async fn start(app: &TestApp, mailbox_id: i64) -> (String, String) {
    let resp = app
        .api
        .post_json(&app.admin.token, &format!("/mailboxes/{mailbox_id}/oauth/connect"), &())
        .await;
    assert_eq!(resp.status(), 200, "connect: {:?}", resp.text().await);
    let cookie = resp
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("maildesk_oauth="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .expect("connect sets the browser cookie");
    let start: OAuthStart = resp.json().await.expect("an OAuthStart");
    (start.authorize_url, cookie)
}

/// The provider's answer to the authorization request: where it sends the browser back.
pub async fn authorize(authorize_url: &str) -> String {
    let resp = no_redirects()
        .get(authorize_url)
        .send()
        .await
        .expect("the authorization server answers");
    assert!(resp.status().is_redirection(), "authorize: {}", resp.status());
    resp.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("a redirect back")
        .to_owned()
}

/// The browser arriving at our callback (`callback_url` from the provider), with `cookie`.
pub async fn land(callback_url: &str, cookie: Option<&str>) -> Landing {
    let mut req = no_redirects().get(callback_url);
    if let Some(c) = cookie {
        req = req.header(reqwest::header::COOKIE, c);
    }
    let resp = req.send().await.expect("our callback answers");
    Landing {
        status: resp.status().as_u16(),
        page: resp.text().await.unwrap_or_default(),
    }
}

/// Sets the test application on the mailbox and connects it all the way through.
pub async fn connect(app: &TestApp, mailbox_id: i64, client_id: &str) -> Landing {
    let put = app
        .api
        .put_json(
            &app.admin.token,
            &format!("/mailboxes/{mailbox_id}/oauth"),
            &test_app(client_id),
        )
        .await;
    assert_eq!(put.status(), 200, "setting the OAuth app: {:?}", put.text().await);
    let (url, cookie) = start(app, mailbox_id).await;
    let back = authorize(&url).await;
    land(&back, Some(&cookie)).await
}

/// How often the authorization server exchanged a code and refreshed a token for `email`.
pub async fn stats(email: &str) -> (u64, u64) {
    let v: serde_json::Value = reqwest::get(format!("{}/_control/stats?email={email}", issuer()))
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats JSON");
    (
        v["code_exchanges"].as_u64().unwrap_or(0),
        v["refreshes"].as_u64().unwrap_or(0),
    )
}

/// Revokes a refresh token at the provider (RFC 7009), as an account owner or admin would.
pub async fn revoke(refresh_token: &str) {
    let resp = reqwest::Client::new()
        .post(format!("{}/revoke", issuer()))
        .form(&[("token", refresh_token), ("client_id", "maildesk-test")])
        .send()
        .await
        .expect("revoking");
    assert!(resp.status().is_success(), "revoke: {}", resp.status());
}
