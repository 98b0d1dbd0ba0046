//! Who gets which mail (seed 002's notification settings, each switched both ways), the
//! placeholders of both template syntaxes, the links mails carry (autologin, unsubscribe,
//! rating), suppression of robots and bounced addresses, and the loop caps. These run on the
//! dev outbox (no SMTP configured): the mails are read back through the admin API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::client::{expect_error, new_ticket, ok_json};
use maildesk_tests::mail::mail;
use maildesk_tests::outbox::{outbox, raw};
use maildesk_tests::{TestApp, TestUser, both_backends, spawn_app};
use protocol::{
    Category, CreateCategory, CreateTicket, ErrorCode, MailboxSettings, MailboxWithSecret, NotificationSettings,
    OutboundMail, OutboundStatus, Page, PostMessage, Role, SaveTemplate, SetCategoryAgents, TicketDetail, TicketStatus,
    TokenResponse, UpdateTicket,
};

struct Desk {
    mb: MailboxWithSecret,
    category: Category,
    /// Agents of the category.
    x: TestUser,
    z: TestUser,
    /// An agent of another category.
    y: TestUser,
}

async fn desk(app: &TestApp) -> Desk {
    let category: Category = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/categories",
                &CreateCategory {
                    name: format!("Hardware {}", uuid::Uuid::new_v4().simple()),
                    description: String::new(),
                },
            )
            .await,
    )
    .await;
    let other: Category = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                "/categories",
                &CreateCategory {
                    name: format!("Billing {}", uuid::Uuid::new_v4().simple()),
                    description: String::new(),
                },
            )
            .await,
    )
    .await;
    let x = app.new_user(Role::Agent).await;
    let z = app.new_user(Role::Agent).await;
    let y = app.new_user(Role::Agent).await;
    for (c, ids) in [(&category, vec![x.id, z.id]), (&other, vec![y.id])] {
        let _: Category = ok_json(
            app.api
                .put_json(
                    &app.admin.token,
                    &format!("/categories/{}/agents", c.id),
                    &SetCategoryAgents { agent_ids: ids },
                )
                .await,
        )
        .await;
    }
    let address = format!("support-{}@example.test", uuid::Uuid::new_v4().simple());
    let mb = app
        .create_mailbox(MailboxSettings {
            name: Some("Acme Support".into()),
            address: Some(address),
            default_category_id: Some(category.id),
            rate_limit_count: Some(1000),
            // Customers here follow up with the ticket number in the subject alone: the desk
            // watches sender authentication without enforcing it (enforcing: sender_auth.rs).
            sender_policy: Some(protocol::SenderPolicy::Monitor),
            ..Default::default()
        })
        .await;
    Desk { mb, category, x, z, y }
}

async fn settings(app: &TestApp, change: impl FnOnce(&mut NotificationSettings)) {
    let mut s: NotificationSettings =
        ok_json(app.api.get(&app.admin.token, "/admin/notification-settings").await).await;
    change(&mut s);
    let _: NotificationSettings = ok_json(
        app.api
            .put_json(&app.admin.token, "/admin/notification-settings", &s)
            .await,
    )
    .await;
}

async fn to(app: &TestApp, ticket_id: i64, email: &str, template: &str) -> Vec<OutboundMail> {
    outbox(app, ticket_id)
        .await
        .into_iter()
        .filter(|m| {
            m.template == template && (m.to.contains(&email.to_lowercase()) || m.cc.contains(&email.to_lowercase()))
        })
        .collect()
}

/// The decoded text part (links survive quoted-printable line folding only once decoded).
fn text_of(raw: &str) -> String {
    let msg = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
    msg.body_text(0).unwrap_or_default().into_owned()
}

fn customer() -> String {
    format!("carl-{}@example.test", uuid::Uuid::new_v4().simple())
}

async fn mail_in(app: &TestApp, d: &Desk, from: &str, subject: &str) -> i64 {
    let raw = mail(&format!("Carl Kunde <{from}>"), &d.mb.mailbox.address, subject)
        .message_id(&format!("{}@client.example.test", uuid::Uuid::new_v4().simple()))
        .body("The printer is on fire.\n")
        .build();
    app.deliver(&d.mb, &raw).await.ticket_id.expect("a ticket")
}

async fn post(
    app: &TestApp,
    token: &str,
    ticket_id: i64,
    kind: &str,
    body: &str,
    status: Option<TicketStatus>,
) -> TicketDetail {
    let t = app.api.ticket(token, ticket_id).await;
    ok_json(
        app.api
            .post_json(
                token,
                &format!("/tickets/{ticket_id}/{kind}"),
                &PostMessage {
                    body: body.into(),
                    version: t.ticket.version,
                    status,
                    ..Default::default()
                },
            )
            .await,
    )
    .await
}

async fn update(app: &TestApp, ticket_id: i64, change: impl FnOnce(&mut UpdateTicket)) -> TicketDetail {
    let t = app.api.ticket(&app.admin.token, ticket_id).await;
    let mut u = UpdateTicket {
        version: t.ticket.version,
        ..Default::default()
    };
    change(&mut u);
    ok_json(
        app.api
            .patch_json(&app.admin.token, &format!("/tickets/{ticket_id}"), &u)
            .await,
    )
    .await
}

both_backends!(confirmation_only_for_mail_and_switchable, |app: TestApp| async move {
    let d = desk(&app).await;
    let carl = customer();
    let t = mail_in(&app, &d, &carl, "By mail").await;
    let confirmations = to(&app, t, &carl, "new_ticket_confirmation").await;
    assert_eq!(confirmations.len(), 1);
    assert!(confirmations[0].automatic);
    // A ticket from the portal gets no confirmation (seed 002: only tickets sent by email).
    let cust = app.new_user(Role::Customer).await;
    let web = app.api.create_ticket(&cust.token, &new_ticket("From the portal")).await;
    assert!(
        to(&app, web.ticket.id, &cust.email, "new_ticket_confirmation")
            .await
            .is_empty()
    );

    settings(&app, |s| s.ticket_confirmation = false).await;
    let t2 = mail_in(&app, &d, &carl, "No confirmation please").await;
    assert!(to(&app, t2, &carl, "new_ticket_confirmation").await.is_empty());
    assert_eq!(
        to(&app, t2, &d.x.email, "new_ticket_alert").await.len(),
        1,
        "alerts still go"
    );

    settings(&app, |s| {
        s.ticket_confirmation = true;
        s.enabled = false;
    })
    .await;
    let t3 = mail_in(&app, &d, &carl, "Notifications off").await;
    assert!(outbox(&app, t3).await.is_empty(), "no notification at all");
    post(
        &app,
        &app.admin.token,
        t3,
        "replies",
        "A person's answer still goes",
        None,
    )
    .await;
    assert_eq!(to(&app, t3, &carl, "reply").await.len(), 1);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_ticket_alerts_reach_category_agents_and_optionally_admins() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let t = mail_in(&app, &d, &customer(), "Alert me").await;
    assert_eq!(to(&app, t, &d.x.email, "new_ticket_alert").await.len(), 1);
    assert_eq!(to(&app, t, &d.z.email, "new_ticket_alert").await.len(), 1);
    assert!(
        to(&app, t, &d.y.email, "new_ticket_alert").await.is_empty(),
        "not their category"
    );
    assert!(to(&app, t, &app.admin.email, "new_ticket_alert").await.is_empty());

    settings(&app, |s| {
        s.notify_admins_of_new_tickets = true;
        s.notify_category_agents_of_new_tickets = false;
    })
    .await;
    let t = mail_in(&app, &d, &customer(), "Admins only").await;
    assert_eq!(to(&app, t, &app.admin.email, "new_ticket_alert").await.len(), 1);
    assert!(to(&app, t, &d.x.email, "new_ticket_alert").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_updates_alert_the_assignee_or_the_whole_category_and_reach_subscribers() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let carl = customer();
    let t = mail_in(&app, &d, &carl, "Update me").await;
    update(&app, t, |u| u.assignee_id = Some(Some(d.x.id))).await;
    let watcher = format!("watcher-{}@example.test", uuid::Uuid::new_v4().simple());
    let resp = app
        .api
        .post_json(
            &app.admin.token,
            &format!("/tickets/{t}/subscribers"),
            &serde_json::json!({ "email": watcher }),
        )
        .await;
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());

    let again = |subject: String| {
        mail(&format!("Carl Kunde <{carl}>"), &d.mb.mailbox.address, &subject)
            .message_id(&format!("{}@client.example.test", uuid::Uuid::new_v4().simple()))
            .body("Still burning.\n")
            .build()
    };
    assert_eq!(
        app.deliver(&d.mb, &again(format!("Re: [#{t}] Update me")))
            .await
            .ticket_id,
        Some(t)
    );
    assert_eq!(to(&app, t, &d.x.email, "customer_update_alert").await.len(), 1);
    assert!(
        to(&app, t, &d.z.email, "customer_update_alert").await.is_empty(),
        "only the assignee"
    );
    let relayed = to(&app, t, &watcher, "reply").await;
    assert_eq!(relayed.len(), 1, "subscribers get the update");
    // The mail arrived with only itself at hand: the history is read once someone gets mail.
    let text = text_of(&raw(&app, relayed[0].id).await);
    assert!(
        text.contains("Still burning.") && text.contains("The printer is on fire."),
        "the update and the thread before it:\n{text}"
    );

    settings(&app, |s| {
        s.notify_all_category_agents_on_customer_update = true;
        s.subscriber_updates_only_from_staff = true;
    })
    .await;
    app.deliver(&d.mb, &again(format!("Re: [#{t}] Update me"))).await;
    assert_eq!(to(&app, t, &d.x.email, "customer_update_alert").await.len(), 2);
    assert_eq!(
        to(&app, t, &d.z.email, "customer_update_alert").await.len(),
        1,
        "the whole category now"
    );
    assert_eq!(
        to(&app, t, &watcher, "reply").await.len(),
        1,
        "customer updates stay with staff"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn take_assignment_and_close_notifications() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let carl = customer();
    let t = mail_in(&app, &d, &carl, "Take me").await;
    let resp = app
        .api
        .post_json(&d.x.token, &format!("/tickets/{t}/take"), &serde_json::json!({}))
        .await;
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());
    assert_eq!(
        to(&app, t, &d.z.email, "ticket_taken").await.len(),
        1,
        "the colleague is told"
    );
    assert!(
        to(&app, t, &d.x.email, "ticket_taken").await.is_empty(),
        "not the taker"
    );

    update(&app, t, |u| u.assignee_id = Some(Some(d.z.id))).await;
    assert_eq!(to(&app, t, &d.z.email, "assignment_alert").await.len(), 1);

    update(&app, t, |u| u.status = Some(TicketStatus::Closed)).await;
    let closed = to(&app, t, &carl, "ticket_closed").await;
    assert_eq!(closed.len(), 1);
    assert!(text_of(&raw(&app, closed[0].id).await).contains("/public/rate?token="));

    settings(&app, |s| {
        s.notify_on_take = false;
        s.ticket_closed_notification = false;
    })
    .await;
    let t2 = mail_in(&app, &d, &carl, "Quiet take").await;
    app.api
        .post_json(&d.x.token, &format!("/tickets/{t2}/take"), &serde_json::json!({}))
        .await;
    update(&app, t2, |u| u.status = Some(TicketStatus::Closed)).await;
    assert!(to(&app, t2, &d.z.email, "ticket_taken").await.is_empty());
    assert!(to(&app, t2, &carl, "ticket_closed").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_carry_files_links_and_names_as_configured() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let carl = customer();
    let t = mail_in(&app, &d, &carl, "Files please").await;
    let watcher = format!("watcher-{}@example.test", uuid::Uuid::new_v4().simple());
    app.api
        .post_json(
            &app.admin.token,
            &format!("/tickets/{t}/subscribers"),
            &serde_json::json!({ "email": watcher }),
        )
        .await;
    let upload = app
        .api
        .upload_ok(&app.admin.token, t, "invoice-2026.pdf", b"%PDF-1.4 test".to_vec())
        .await;
    let detail = app.api.ticket(&app.admin.token, t).await;
    let resp = app
        .api
        .post_json(
            &app.admin.token,
            &format!("/tickets/{t}/replies"),
            &PostMessage {
                body: "Here is the invoice".into(),
                version: detail.ticket.version,
                attachment_ids: vec![upload.id],
                ..Default::default()
            },
        )
        .await;
    assert!(resp.status().is_success());
    let to_carl = to(&app, t, &carl, "reply").await;
    assert_eq!(to_carl.len(), 1);
    let carl_raw = raw(&app, to_carl[0].id).await;
    assert!(
        carl_raw.contains("filename=\"invoice-2026.pdf\""),
        "the file is attached"
    );
    let carl_text = text_of(&carl_raw);
    assert!(
        carl_text.contains("/autologin?token="),
        "the requester gets an autologin link"
    );
    let (name, _) = maildesk_tests::smtp::from_of(&carl_raw);
    assert!(
        name.unwrap().contains("admin") || detail.ticket.requester.email == carl,
        "agent's name"
    );
    let to_watcher = to(&app, t, &watcher, "reply").await;
    assert_eq!(to_watcher.len(), 1, "one mail each by default");
    let watcher_text = text_of(&raw(&app, to_watcher[0].id).await);
    assert!(watcher_text.contains("/public/unsubscribe?token="));
    assert!(!watcher_text.contains("/autologin"), "no autologin for a subscriber");

    settings(&app, |s| {
        s.attach_files = false;
        s.subscribers_in_cc = true;
        s.from_name_for_all = true;
    })
    .await;
    post(&app, &app.admin.token, t, "replies", "Second answer", None).await;
    let all = outbox(&app, t).await;
    let second: Vec<_> = all
        .iter()
        .filter(|m| m.template == "reply" && m.id > to_watcher[0].id)
        .collect();
    assert_eq!(second.len(), 1, "one mail for everyone in CC mode: {second:?}");
    assert_eq!(second[0].to, vec![carl.clone()]);
    assert_eq!(second[0].cc, vec![watcher.clone()]);
    let r = raw(&app, second[0].id).await;
    assert!(!r.contains("filename=\"invoice-2026.pdf\""), "attachments switched off");
    assert!(
        !r.contains("List-Unsubscribe"),
        "a group mail with no unsubscribe link offers one"
    );
    let text = text_of(&r);
    assert!(
        !text.contains("/autologin") && !text.contains("/unsubscribe"),
        "no personal links in CC mode"
    );
    let (name, _) = maildesk_tests::smtp::from_of(&r);
    assert_eq!(name.as_deref(), Some("Acme Support"), "From name for all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_placeholder_of_both_syntaxes_is_filled_and_unknown_ones_are_refused() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let all = "#Subject#|#TicketID#|#URL#|#Category#|#Priority#|#Status#|#From#|#FromEmail#|#FirstName#|\
               #Technician#|#Most_recent_message#|#Recent_messages#|#10Recent_messages#|#Attachments#|\
               #Recipients#|#Date#|#DueDate#|#What_Happened#|#RatingLinks#|#Unsubscribe#|#Suggested_KB_articles#|\
               %{ticket.number}|%{ticket.subject}|%{ticket.status}|%{ticket.priority}|%{ticket.dept}|%{ticket.staff}|\
               %{recipient.name}|%{url}";
    let save = SaveTemplate {
        subject: "Re: %{ticket.subject} (#Status#)".into(),
        body_text: format!("{all}|END"),
        body_html: format!("<p>{all}</p>"),
    };
    let _: protocol::EmailTemplate = ok_json(
        app.api
            .put_json(&app.admin.token, "/admin/templates/reply", &save)
            .await,
    )
    .await;
    let carl = customer();
    let t = mail_in(&app, &d, &carl, "Placeholder <test>").await;
    update(&app, t, |u| {
        u.assignee_id = Some(Some(d.x.id));
        u.due_at = Some(Some("2030-01-02T03:04:00Z".parse().unwrap()));
    })
    .await;
    post(&app, &app.admin.token, t, "replies", "Answer-Text-42", None).await;
    let m = to(&app, t, &carl, "reply").await;
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].subject, format!("[#{t}] Re: Placeholder <test> (open)"));
    let r = raw(&app, m[0].id).await;
    let text = text_of(&r);
    let x_name = app.api.ticket(&app.admin.token, t).await.ticket.assignee.unwrap().name;
    for want in [
        "Placeholder <test>",
        &format!("|{t}|"),
        "/autologin?token=",
        &d.category.name,
        "|normal|",
        "|open|",
        "Carl Kunde",
        &carl,
        "|Carl|",
        &x_name,
        "Answer-Text-42",
        "The printer is on fire.",
        "2030-01-02 03:04",
        "|END",
    ] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
    assert!(
        !text.contains("#Subject#") && !text.contains("%{"),
        "unfilled placeholder:\n{text}"
    );
    let msg = mail_parser::MessageParser::default().parse(r.as_bytes()).unwrap();
    let html = msg.body_html(0).unwrap();
    assert!(html.contains("Placeholder &lt;test&gt;"), "HTML values are escaped");

    let err = expect_error(
        app.api
            .put_json(
                &app.admin.token,
                "/admin/templates/reply",
                &SaveTemplate {
                    subject: "#Subjekt#".into(),
                    body_text: "%{ticket.owner}".into(),
                    body_html: String::new(),
                },
            )
            .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert!(
        err.message.contains("Subjekt") && err.message.contains("ticket.owner"),
        "{}",
        err.message
    );

    // An empty template turns that mail off.
    let off = SaveTemplate {
        subject: String::new(),
        body_text: String::new(),
        body_html: String::new(),
    };
    let _: protocol::EmailTemplate = ok_json(
        app.api
            .put_json(&app.admin.token, "/admin/templates/new_ticket_confirmation", &off)
            .await,
    )
    .await;
    let t2 = mail_in(&app, &d, &carl, "Silent").await;
    assert!(to(&app, t2, &carl, "new_ticket_confirmation").await.is_empty());

    // The preview fills a template from a real ticket without sending anything.
    let before = outbox(&app, t).await.len();
    let preview: protocol::TemplatePreview = ok_json(
        app.api
            .post_json(
                &app.admin.token,
                &format!("/admin/templates/reply/preview?ticket_id={t}"),
                &save,
            )
            .await,
    )
    .await;
    assert!(preview.body_text.contains("Carl Kunde") && preview.subject.contains(&format!("[#{t}]")));
    assert_eq!(outbox(&app, t).await.len(), before);
}

fn token_from(text: &str, marker: &str) -> String {
    let at = text.find(marker).unwrap_or_else(|| panic!("no {marker} in {text}")) + marker.len();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_autologin_link_opens_only_its_ticket_for_three_days() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let carl = customer();
    let t1 = mail_in(&app, &d, &carl, "First").await;
    let t2 = mail_in(&app, &d, &carl, "Second").await;
    let conf = to(&app, t1, &carl, "new_ticket_confirmation").await;
    let text = text_of(&raw(&app, conf[0].id).await);
    let token = token_from(&text, "/autologin?token=");
    let session: TokenResponse = ok_json(
        app.api
            .post_json("", "/auth/autologin", &serde_json::json!({ "token": token }))
            .await,
    )
    .await;
    assert_eq!(session.user.email, carl);
    assert_eq!(app.api.ticket(&session.access_token, t1).await.ticket.id, t1);
    expect_error(
        app.api.get(&session.access_token, &format!("/tickets/{t2}")).await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    assert_eq!(app.api.ticket_ids(&session.access_token).await, vec![t1]);
    // Refreshing keeps it limited.
    let refreshed: TokenResponse = ok_json(
        app.api
            .post_json(
                "",
                "/auth/refresh",
                &serde_json::json!({ "refresh_token": session.refresh_token }),
            )
            .await,
    )
    .await;
    assert_eq!(app.api.ticket_ids(&refreshed.access_token).await, vec![t1]);

    // Staff never get autologin links, and a forged one for staff is refused.
    for m in outbox(&app, t1).await.iter().filter(|m| m.to.contains(&d.x.email)) {
        assert!(!text_of(&raw(&app, m.id).await).contains("/autologin"));
    }
    let key = jsonwebtoken::EncodingKey::from_secret(&app.jwt_secret());
    let forge = |sub: i64, exp: i64| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &serde_json::json!({ "purpose": "autologin", "sub": sub, "tkt": t1, "exp": exp }),
            &key,
        )
        .unwrap()
    };
    let staff = forge(d.x.id, chrono::Utc::now().timestamp() + 600);
    expect_error(
        app.api
            .post_json("", "/auth/autologin", &serde_json::json!({ "token": staff }))
            .await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    let carl_id = session.user.id;
    let expired = forge(carl_id, chrono::Utc::now().timestamp() - 4 * 86_400);
    let err = expect_error(
        app.api
            .post_json("", "/auth/autologin", &serde_json::json!({ "token": expired }))
            .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert!(err.message.contains("expired"));
    // A session token is not a link.
    expect_error(
        app.api
            .post_json(
                "",
                "/auth/autologin",
                &serde_json::json!({ "token": session.access_token }),
            )
            .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    // The link lives three days.
    let claims: serde_json::Value = {
        let mut v = jsonwebtoken::Validation::default();
        v.required_spec_claims.clear();
        jsonwebtoken::decode(&token, &jsonwebtoken::DecodingKey::from_secret(&app.jwt_secret()), &v)
            .unwrap()
            .claims
    };
    let left = claims["exp"].as_i64().unwrap() - chrono::Utc::now().timestamp();
    assert!((3 * 86_400 - 120..=3 * 86_400).contains(&left), "{left}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsubscribe_and_rating_links_do_what_they_say() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let carl = customer();
    let t = mail_in(&app, &d, &carl, "Links").await;
    let watcher = format!("watcher-{}@example.test", uuid::Uuid::new_v4().simple());
    app.api
        .post_json(
            &app.admin.token,
            &format!("/tickets/{t}/subscribers"),
            &serde_json::json!({ "email": watcher }),
        )
        .await;
    post(
        &app,
        &app.admin.token,
        t,
        "replies",
        "Closing soon",
        Some(TicketStatus::Closed),
    )
    .await;
    let w = to(&app, t, &watcher, "reply").await;
    let watcher_raw = raw(&app, w[0].id).await;
    let unsub = token_from(&text_of(&watcher_raw), "/public/unsubscribe?token=");
    // The same link in the headers, for the mail client's own unsubscribe button (RFC 8058).
    assert_eq!(
        token_from(&watcher_raw, "List-Unsubscribe: <"),
        "http",
        "no List-Unsubscribe header"
    );
    assert!(
        watcher_raw.contains(&format!("/public/unsubscribe?token={unsub}>\r\n")),
        "{watcher_raw}"
    );
    assert!(watcher_raw.contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    // The link shows a page that asks; its button (and a mail client's one-click unsubscribe,
    // RFC 8058) posts to the link itself.
    let resp = app.api.get_anon(&format!("/public/unsubscribe?token={unsub}")).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("method=\"post\""));
    let resp = app
        .api
        .http()
        .post(app.api.url(&format!("/public/unsubscribe?token={unsub}")))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("Unsubscribed"));
    let detail = app.api.ticket(&app.admin.token, t).await;
    assert!(
        detail.subscribers.iter().all(|s| s.email != watcher),
        "still subscribed"
    );

    let closed = to(&app, t, &carl, "ticket_closed").await;
    let rate = token_from(&text_of(&raw(&app, closed[0].id).await), "/public/rate?token=");
    let resp = app
        .api
        .get_anon(&format!("/public/rate?token={rate}&rating=good"))
        .await;
    assert_eq!(resp.status(), 200);
    // An agent with the ticket open sees the rating arrive live: a click in a mail is a change
    // like any other.
    let mut agent_ws = maildesk_tests::live::connect(app.port, &app.admin.token).await;
    agent_ws.subscribe_ok(protocol::Topic::Ticket(t)).await;
    // The page's button records the rating (an empty comment is no comment).
    let resp = app
        .api
        .http()
        .post(app.api.url("/public/rate"))
        .form(&[("token", rate.as_str()), ("rating", "good"), ("comment", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        app.api.ticket(&app.admin.token, t).await.ticket.rating.as_deref(),
        Some("good")
    );
    let seen = agent_ws
        .wait_for("the rating, live", std::time::Duration::from_secs(10), |f| match f {
            protocol::ServerFrame::Ticket { ticket, .. } if ticket.id == t => ticket.rating.clone(),
            _ => None,
        })
        .await;
    assert_eq!(seen, "good");
    // The page offers a comment box, which posts with the same signed token.
    let page = app
        .api
        .get_anon(&format!("/public/rate?token={rate}&rating=ok"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<textarea") && page.contains(&format!("value=\"{rate}\"")),
        "{page}"
    );
    let resp = app
        .api
        .http()
        .post(app.api.url("/public/rate"))
        .form(&[("token", rate.as_str()), ("rating", "ok"), ("comment", "Quick & kind")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let rated = app.api.ticket(&app.admin.token, t).await.ticket;
    assert_eq!(
        (rated.rating.as_deref(), rated.rating_comment.as_deref()),
        (Some("ok"), Some("Quick & kind"))
    );
    let forged = app
        .api
        .http()
        .post(app.api.url("/public/rate"))
        .form(&[("token", "forged.token.value"), ("rating", "bad"), ("comment", "spam")])
        .send()
        .await
        .unwrap();
    expect_error(forged, 422, ErrorCode::ValidationFailed).await;
    assert_eq!(
        app.api.ticket(&app.admin.token, t).await.ticket.rating.as_deref(),
        Some("ok")
    );
    expect_error(
        app.api
            .get_anon(&format!("/public/rate?token={rate}&rating=superb"))
            .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    // A rating link is not an unsubscribe link.
    expect_error(
        app.api.get_anon(&format!("/public/unsubscribe?token={rate}")).await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_and_bounced_addresses_get_no_automatic_mail_but_replies_go_with_a_warning() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    // A robot requester (an agent opened the ticket for it): the closing mail is held.
    let robot = format!("no-reply-{}@example.test", uuid::Uuid::new_v4().simple());
    let t = app
        .api
        .create_ticket(
            &app.admin.token,
            &CreateTicket {
                requester_email: Some(robot.clone()),
                ..new_ticket("Robot")
            },
        )
        .await
        .ticket
        .id;
    update(&app, t, |u| u.status = Some(TicketStatus::Closed)).await;
    let held = to(&app, t, &robot, "ticket_closed").await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].status, OutboundStatus::Suppressed);
    assert!(held[0].last_error.as_deref().unwrap().contains("robot"));

    // A bounced address: no confirmation, but an agent's reply goes, with a warning.
    let carl = customer();
    use sea_orm::{ActiveModelTrait, Set};
    entity::email_suppression::ActiveModel {
        email: Set(carl.clone()),
        reason: Set("hard bounce: 5.1.1 user unknown".into()),
        created_at: Set(chrono::Utc::now()),
        expires_at: Set(chrono::Utc::now() + chrono::Duration::days(60)),
        ..Default::default()
    }
    .insert(app.ctx.db())
    .await
    .unwrap();
    let t = mail_in(&app, &d, &carl, "Bounced before").await;
    let conf = to(&app, t, &carl, "new_ticket_confirmation").await;
    assert_eq!(conf[0].status, OutboundStatus::Suppressed);
    let detail = post(&app, &app.admin.token, t, "replies", "Manual answer", None).await;
    let replies = to(&app, t, &carl, "reply").await;
    assert_ne!(
        replies[0].status,
        OutboundStatus::Suppressed,
        "a person's reply still goes"
    );
    assert!(
        detail.events.iter().any(|e| e.field == "delivery_warning"),
        "the agent is warned"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loop_caps_stop_automatic_mail_to_one_address() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    settings(&app, |s| s.auto_cap_count = 2).await;
    // An auto-responder without RFC 3834 headers answering every confirmation with a new mail.
    let bot = format!("helpdesk-{}@example.test", uuid::Uuid::new_v4().simple());
    let mut tickets = Vec::new();
    for i in 0..9 {
        tickets.push(mail_in(&app, &d, &bot, &format!("Auto answer {i}")).await);
    }
    let mut sent = 0;
    let mut held = 0;
    for t in &tickets {
        for m in to(&app, *t, &bot, "new_ticket_confirmation").await {
            if m.status == OutboundStatus::Suppressed {
                assert!(m.last_error.as_deref().unwrap().contains("loop protection"));
                held += 1;
            } else {
                sent += 1;
            }
        }
    }
    assert_eq!(sent, 6, "three times the per-ticket cap across tickets");
    assert_eq!(held, 3);

    // Per ticket: closing and reopening over and over mails the requester at most the cap.
    let carl = customer();
    let t = mail_in(&app, &d, &carl, "Flapping").await;
    for _ in 0..3 {
        update(&app, t, |u| u.status = Some(TicketStatus::Closed)).await;
        update(&app, t, |u| u.status = Some(TicketStatus::Open)).await;
    }
    let closed = to(&app, t, &carl, "ticket_closed").await;
    assert_eq!(closed.len(), 3);
    // The confirmation counted too: 2 allowed in all, so 1 closing mail went and 2 were held.
    assert_eq!(
        closed.iter().filter(|m| m.status == OutboundStatus::Suppressed).count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mails_are_dkim_signed_when_a_key_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("dkim.pem");
    let ok = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&key)
        .arg("2048")
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl is needed to make a test DKIM key");
    assert!(ok.success());
    let app = maildesk_tests::spawn_app_with(maildesk_tests::Backend::Postgres, |s| {
        s.outbound.dkim_domain = "example.test".into();
        s.outbound.dkim_selector = "sel1".into();
        s.outbound.dkim_key_file = key.display().to_string();
    })
    .await;
    let d = desk(&app).await;
    let carl = customer();
    let t = mail_in(&app, &d, &carl, "Signed").await;
    let conf = to(&app, t, &carl, "new_ticket_confirmation").await;
    let r = raw(&app, conf[0].id).await;
    let sig = maildesk_tests::smtp::header(&r, "DKIM-Signature").expect("a DKIM-Signature header");
    assert!(sig.contains("d=example.test") && sig.contains("s=sel1"), "{sig}");
}

/// RFC 3834: an auto-reply, a bounce or bulk mail never gets an automatic answer, whether it
/// threads into a ticket or not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_automatic_mail_answers_an_auto_reply_a_bounce_or_bulk_mail() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let carl = customer();
    let t = mail_in(&app, &d, &carl, "Real request").await;
    let ours = to(&app, t, &carl, "new_ticket_confirmation").await[0]
        .message_id
        .clone();
    let total = || async {
        let page: Page<OutboundMail> = ok_json(app.api.get(&app.admin.token, "/admin/outbox").await).await;
        page.total
    };
    let before = total().await;
    let robots = [
        mail(&format!("Carl <{carl}>"), &d.mb.mailbox.address, "Out of office")
            .header("Auto-Submitted", "auto-replied")
            .in_reply_to(&ours)
            .build(),
        mail(
            "MAILER-DAEMON@mx.example.test",
            &d.mb.mailbox.address,
            "Undelivered Mail Returned to Sender",
        )
        .in_reply_to(&ours)
        .body("Your message could not be delivered.\n")
        .build(),
        mail("news@shop.example.test", &d.mb.mailbox.address, "Weekly deals")
            .header("Precedence", "bulk")
            .header("List-Unsubscribe", "<https://shop.example.test/u>")
            .build(),
        mail(&format!("Carl <{carl}>"), &d.mb.mailbox.address, "Automatic notice")
            .header("Auto-Submitted", "auto-generated")
            .build(),
    ];
    for raw in robots {
        let raw = String::from_utf8(raw).unwrap().replacen(
            "Subject:",
            &format!(
                "Message-ID: <{}@robot.example.test>\r\nSubject:",
                uuid::Uuid::new_v4().simple()
            ),
            1,
        );
        app.deliver(&d.mb, raw.as_bytes()).await;
    }
    assert_eq!(total().await, before, "a robot's mail was answered");
    let detail = app.api.ticket(&app.admin.token, t).await;
    assert!(
        detail
            .messages
            .iter()
            .filter(|m| m.kind == protocol::MessageKind::System)
            .count()
            >= 2,
        "the auto-reply and the bounce are kept on the ticket"
    );
}

/// A ticket made from a mail confirms with the files the mail brought (the notification is
/// built from the rows just written, files included), and never lists inline images.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_confirmation_of_a_mail_with_files_links_them() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let save = SaveTemplate {
        subject: "Got it: #Subject#".into(),
        body_text: "Files: #Attachments#|END".into(),
        body_html: "<p>Files: #Attachments#</p>".into(),
    };
    let _: protocol::EmailTemplate = ok_json(
        app.api
            .put_json(&app.admin.token, "/admin/templates/new_ticket_confirmation", &save)
            .await,
    )
    .await;
    let carl = customer();
    let raw_mail = format!(
        "From: Carl <{carl}>\r\nTo: {to}\r\nSubject: Two files\r\nMessage-ID: <files-{id}@c.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
         Content-Type: text/html\r\n\r\n<p>See attached.<img src=\"cid:logo@c.example\"></p>\r\n--b\r\nContent-Type: application/pdf\r\n\
         Content-Disposition: attachment; filename=report.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         JVBERi0xLjQK\r\n--b\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=logo.png\r\n\
         Content-ID: <logo@c.example>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n",
        to = d.mb.mailbox.address,
        id = uuid::Uuid::new_v4().simple(),
    );
    let t = app
        .deliver(&d.mb, raw_mail.as_bytes())
        .await
        .ticket_id
        .expect("a ticket");
    let confirmations = to(&app, t, &carl, "new_ticket_confirmation").await;
    assert_eq!(confirmations.len(), 1);
    let text = text_of(&raw(&app, confirmations[0].id).await);
    let detail = app.api.ticket(&app.admin.token, t).await;
    let report = detail
        .messages
        .iter()
        .flat_map(|m| &m.attachments)
        .find(|a| a.filename == "report.pdf")
        .expect("the file is stored");
    assert!(text.contains("report.pdf"), "the file is listed:\n{text}");
    assert!(
        text.contains(&format!("/attachments/{}", report.id)),
        "with its link:\n{text}"
    );
    assert!(!text.contains("logo.png"), "inline images are not listed:\n{text}");
}
