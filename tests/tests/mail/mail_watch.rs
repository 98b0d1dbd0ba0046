//! Watching the fetchers (`mail::watch`): a mailbox failing with nothing fetched for longer
//! than `mail.stale_alert_minutes` is reported to admins once — whichever of two nodes checks —
//! and shown on the dashboard; when it fetches again the admins hear that too and the warning
//! goes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use entity::{mailbox, outbound_mail};
use maildesk::mail::watch;
use maildesk_tests::{TestApp, both_backends};
use protocol::{MailboxSettings, Role};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

async fn mails(app: &TestApp, template: &str) -> Vec<outbound_mail::Model> {
    outbound_mail::Entity::find()
        .filter(outbound_mail::Column::Template.eq(template))
        .all(app.ctx.db())
        .await
        .unwrap()
}

async fn imap_mailbox(app: &TestApp, address: &str) -> i64 {
    app.create_mailbox(MailboxSettings {
        name: Some(format!("Box {address}")),
        address: Some(address.into()),
        imap_host: Some("127.0.0.1".into()),
        imap_port: Some(1),
        imap_username: Some("desk".into()),
        imap_password: Some("secret".into()),
        imap_tls: Some(protocol::TlsMode::None),
        ..Default::default()
    })
    .await
    .mailbox
    .id
}

async fn set_fetch_state(app: &TestApp, id: i64, failures: i32, last_fetch: Option<chrono::DateTime<Utc>>) {
    let mut row = mailbox::Entity::find_by_id(id)
        .one(app.ctx.db())
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    row.consecutive_failures = Set(failures);
    row.last_fetch_at = Set(last_fetch);
    row.last_error = Set((failures > 0).then(|| "connection refused".to_owned()));
    row.update(app.ctx.db()).await.unwrap();
}

both_backends!(
    a_stopped_mailbox_is_reported_once_and_its_recovery_too,
    |app: TestApp| async move {
        let second_admin = app.new_user(Role::Admin).await;
        let broken = imap_mailbox(&app, "broken@acme.test").await;
        let flaky = imap_mailbox(&app, "flaky@acme.test").await;
        let now = Utc::now();
        set_fetch_state(&app, broken, 7, Some(now - Duration::minutes(12))).await;
        // Failing, but for less than the 5 minutes: not yet.
        set_fetch_state(&app, flaky, 1, Some(now - Duration::minutes(2))).await;

        // Two nodes check at the same moment.
        let (a, b) = tokio::join!(watch::run_once(&app.ctx, now), watch::run_once(&app.ctx, now));
        let mut alerted = a.unwrap().alerted;
        alerted.extend(b.unwrap().alerted);
        assert_eq!(alerted, vec![broken], "reported once");
        let stale = mails(&app, "mailbox_stale").await;
        let mut to: Vec<String> = stale.iter().map(|m| m.recipient.clone()).collect();
        to.sort();
        let mut admins = vec![
            maildesk_tests::ADMIN_EMAIL.to_lowercase(),
            second_admin.email.to_lowercase(),
        ];
        admins.sort();
        assert_eq!(to, admins, "one mail to each admin");
        let raw = String::from_utf8_lossy(&stale[0].raw).to_string();
        assert!(
            raw.contains("broken@acme.test") && raw.contains("connection refused"),
            "{raw}"
        );
        assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
        // Checking again changes nothing.
        assert_eq!(watch::run_once(&app.ctx, now).await.unwrap(), watch::Watched::default());

        let board = maildesk::realtime::dashboard::compute(app.ctx.db(), 0).await.unwrap();
        let shown: Vec<i64> = board.stale_mailboxes.iter().map(|m| m.id).collect();
        assert_eq!(shown, vec![broken]);

        // It fetches again.
        let later = now + Duration::minutes(3);
        set_fetch_state(&app, broken, 0, Some(later)).await;
        let w = watch::run_once(&app.ctx, later).await.unwrap();
        assert_eq!(w.recovered, vec![broken]);
        assert_eq!(mails(&app, "mailbox_recovered").await.len(), 2);
        assert!(
            maildesk::realtime::dashboard::compute(app.ctx.db(), 0)
                .await
                .unwrap()
                .stale_mailboxes
                .is_empty()
        );
        // A new outage is a new alert.
        set_fetch_state(&app, flaky, 0, Some(later)).await;
        set_fetch_state(&app, broken, 1, Some(later)).await;
        let w = watch::run_once(&app.ctx, later + Duration::minutes(6)).await.unwrap();
        assert_eq!(w.alerted, vec![broken]);
        assert_eq!(mails(&app, "mailbox_stale").await.len(), 4);
    }
);
