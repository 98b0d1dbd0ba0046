//! Knowledge-base articles: staff write them (sanitized), customers and anonymous visitors
//! read only the public ones (anonymous only when the portal allows), helpful counts add up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::client::{expect_error, ok_json};
use maildesk_tests::{Backend, TestApp, both_backends, spawn_app_with};
use protocol::{ErrorCode, KbArticle, KbFeedback, KbVisibility, Page, Role, SaveKbArticle};

fn article(title: &str, visibility: KbVisibility) -> SaveKbArticle {
    SaveKbArticle {
        title: title.into(),
        body_html: "<p>Turn it off and on.</p><script>alert(1)</script><img src=x onerror=alert(2)>".into(),
        category_id: None,
        tags: vec!["Printer".into(), "printer".into(), " Reset ".into()],
        visibility,
    }
}

async fn create(app: &TestApp, token: &str, a: &SaveKbArticle) -> KbArticle {
    let resp = app.api.post_json(token, "/kb/articles", a).await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap_or_default());
    resp.json().await.unwrap()
}

both_backends!(staff_write_and_readers_see_what_they_may, |app: TestApp| async move {
    let agent = app.new_user(Role::Agent).await;
    let public = create(&app, &agent.token, &article("Reset the printer", KbVisibility::Public)).await;
    let internal = create(
        &app,
        &agent.token,
        &article("Printer admin password", KbVisibility::Agents),
    )
    .await;
    assert!(
        !public.body_html.contains("<script") && !public.body_html.contains("onerror"),
        "{}",
        public.body_html
    );
    assert!(public.body_text.contains("Turn it off and on."));
    assert_eq!(public.tags, vec!["printer", "reset"]);
    assert_eq!(public.author.as_ref().unwrap().id, agent.id);

    let customer = app.new_user(Role::Customer).await;
    for token in [customer.token.as_str(), ""] {
        let page: Page<KbArticle> = ok_json(app.api.get(token, "/kb/articles").await).await;
        let ids: Vec<i64> = page.items.iter().map(|a| a.id).collect();
        assert!(ids.contains(&public.id) && !ids.contains(&internal.id), "{ids:?}");
        expect_error(
            app.api.get(token, &format!("/kb/articles/{}", internal.id)).await,
            404,
            ErrorCode::NotFound,
        )
        .await;
        expect_error(
            app.api
                .post_json(token, "/kb/articles", &article("Nope", KbVisibility::Public))
                .await,
            if token.is_empty() { 401 } else { 403 },
            if token.is_empty() {
                ErrorCode::Unauthorized
            } else {
                ErrorCode::Forbidden
            },
        )
        .await;
    }
    let staff: Page<KbArticle> = ok_json(app.api.get(&agent.token, "/kb/articles").await).await;
    assert_eq!(staff.total, 2);

    // Helpful counts, from anyone who may read it.
    for helpful in [true, true, false] {
        let _: KbArticle = ok_json(
            app.api
                .post_json(
                    "",
                    &format!("/kb/articles/{}/feedback", public.id),
                    &KbFeedback { helpful },
                )
                .await,
        )
        .await;
    }
    let a: KbArticle = ok_json(app.api.get("", &format!("/kb/articles/{}", public.id)).await).await;
    assert_eq!((a.helpful_yes, a.helpful_no), (2, 1));
    expect_error(
        app.api
            .post_json(
                "",
                &format!("/kb/articles/{}/feedback", internal.id),
                &KbFeedback { helpful: true },
            )
            .await,
        404,
        ErrorCode::NotFound,
    )
    .await;

    // Edit and delete.
    let mut change = article("Reset the printer (2026)", KbVisibility::Agents);
    change.body_html = "Plain text works too".into();
    let edited: KbArticle = ok_json(
        app.api
            .put_json(&agent.token, &format!("/kb/articles/{}", public.id), &change)
            .await,
    )
    .await;
    assert_eq!(edited.visibility, KbVisibility::Agents);
    expect_error(
        app.api.get("", &format!("/kb/articles/{}", public.id)).await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    let resp = app
        .api
        .delete(&agent.token, &format!("/kb/articles/{}", internal.id))
        .await;
    assert_eq!(resp.status(), 204);
    expect_error(
        app.api
            .get(&agent.token, &format!("/kb/articles/{}", internal.id))
            .await,
        404,
        ErrorCode::NotFound,
    )
    .await;
});

both_backends!(
    bad_articles_are_refused_with_the_field_named,
    |app: TestApp| async move {
        for (bad, field) in [
            (
                SaveKbArticle {
                    title: "  ".into(),
                    ..article("x", KbVisibility::Public)
                },
                "title",
            ),
            (
                SaveKbArticle {
                    body_html: "<script>only()</script>".into(),
                    ..article("Script only", KbVisibility::Public)
                },
                "body_html",
            ),
            (
                SaveKbArticle {
                    category_id: Some(999_999),
                    ..article("No such category", KbVisibility::Public)
                },
                "category_id",
            ),
        ] {
            let err = expect_error(
                app.api.post_json(&app.admin.token, "/kb/articles", &bad).await,
                422,
                ErrorCode::ValidationFailed,
            )
            .await;
            assert!(err.message.contains(field), "{}", err.message);
        }
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_portal_keeps_the_kb_behind_sign_in() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.portal.public_kb = false).await;
    create(
        &app,
        &app.admin.token,
        &article("Reset the printer", KbVisibility::Public),
    )
    .await;
    expect_error(app.api.get("", "/kb/articles").await, 401, ErrorCode::Unauthorized).await;
    let customer = app.new_user(Role::Customer).await;
    let page: Page<KbArticle> = ok_json(app.api.get(&customer.token, "/kb/articles").await).await;
    assert_eq!(page.total, 1);
}
