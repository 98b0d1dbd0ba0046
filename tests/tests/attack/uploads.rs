//! Item 12: uploads belong to their uploader. Anyone who could see a ticket could attach
//! someone else's pending upload by its id; uploads were unlimited and never cleaned.

use maildesk_tests::client::{expect_error_for, new_ticket, ok_json};
use maildesk_tests::{Backend, TestApp, both_backends, spawn_app_with};
use protocol::{Attachment, ErrorCode, Role, TicketDetail};
use serde_json::json;

both_backends!(nobody_attaches_another_persons_upload, |app: TestApp| async move {
    let customer = app.new_user(Role::Customer).await;
    let t = app
        .api
        .create_ticket(&customer.token, &new_ticket("Files"))
        .await
        .ticket;
    // The agent uploads a draft attachment for a reply not sent yet.
    let agent_file: Attachment = ok_json(
        app.api
            .upload(&app.admin.token, t.id, "internal-report.pdf", b"secret".to_vec())
            .await,
    )
    .await;
    // The customer tries to attach it to their own message (and so read it).
    let version = app.api.ticket(&customer.token, t.id).await.ticket.version;
    let r = app
        .api
        .post_json(
            &customer.token,
            &format!("/tickets/{}/replies", t.id),
            &json!({"body": "see file", "version": version, "attachment_ids": [agent_file.id]}),
        )
        .await;
    expect_error_for("someone else's upload", r, 422, ErrorCode::ValidationFailed).await;
    let r = app
        .api
        .get(&customer.token, &format!("/attachments/{}", agent_file.id))
        .await;
    assert_eq!(r.status(), 404);
    // The uploader attaches their own.
    let version = app.api.ticket(&app.admin.token, t.id).await.ticket.version;
    let r = app
        .api
        .post_json(
            &app.admin.token,
            &format!("/tickets/{}/replies", t.id),
            &json!({"body": "report attached", "version": version, "attachment_ids": [agent_file.id]}),
        )
        .await;
    let d: TicketDetail = ok_json(r).await;
    assert!(
        d.messages
            .iter()
            .any(|m| m.attachments.iter().any(|a| a.id == agent_file.id))
    );
});

async fn quota(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.limits.pending_upload_bytes = 1000).await;
    let customer = app.new_user(Role::Customer).await;
    let t = app
        .api
        .create_ticket(&customer.token, &new_ticket("Files"))
        .await
        .ticket;
    for _ in 0..3 {
        let r = app.api.upload(&customer.token, t.id, "a.bin", vec![1u8; 300]).await;
        assert_eq!(r.status(), 201);
    }
    let r = app.api.upload(&customer.token, t.id, "a.bin", vec![1u8; 300]).await;
    expect_error_for("a fourth upload over the quota", r, 413, ErrorCode::PayloadTooLarge).await;
    // The quota is per person: someone else still uploads.
    let r = app.api.upload(&app.admin.token, t.id, "b.bin", vec![1u8; 300]).await;
    assert_eq!(r.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_uploads_have_a_quota_per_person_postgres() {
    quota(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_uploads_have_a_quota_per_person_sqlite() {
    quota(Backend::Sqlite).await;
}

both_backends!(
    unclaimed_uploads_are_swept_and_sent_ones_stay,
    |app: TestApp| async move {
        let t = app
            .api
            .create_ticket(&app.admin.token, &new_ticket("Files"))
            .await
            .ticket;
        let lost: Attachment = ok_json(app.api.upload(&app.admin.token, t.id, "lost.txt", b"x".to_vec()).await).await;
        let kept: Attachment = ok_json(app.api.upload(&app.admin.token, t.id, "kept.txt", b"y".to_vec()).await).await;
        let version = app.api.ticket(&app.admin.token, t.id).await.ticket.version;
        let r = app
            .api
            .post_json(
                &app.admin.token,
                &format!("/tickets/{}/notes", t.id),
                &json!({"body": "with file", "version": version, "attachment_ids": [kept.id]}),
            )
            .await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
        // A sweep for uploads older than a moment from now: the lost one goes.
        let cutoff = chrono::Utc::now() + chrono::Duration::seconds(1);
        let swept = maildesk::tickets::attachments::sweep_unclaimed(app.ctx.db(), cutoff)
            .await
            .expect("sweep");
        assert_eq!(swept, 1);
        assert_eq!(
            app.api
                .get(&app.admin.token, &format!("/attachments/{}", lost.id))
                .await
                .status(),
            404
        );
        assert_eq!(
            app.api
                .get(&app.admin.token, &format!("/attachments/{}", kept.id))
                .await
                .status(),
            200
        );
    }
);
