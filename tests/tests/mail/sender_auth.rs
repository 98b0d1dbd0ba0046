//! Sender authentication against a real DNS server (`scripts/dns.sh`: a private unbound on
//! loopback, records added per test): mails DKIM-signed here, SPF through our SMTP receiver,
//! DMARC policies; pass, fail, none, misaligned and temperror (a DNS server stopped). Then the
//! policy: the spoofed-agent attack (forged `From:`, subject token, `#close#`, a Cc) does
//! nothing, the same mail signed is the agent's; a subject token joins only a verified sender;
//! DMARC's reject quarantines; a trusted receiving host's verdict is read, a forged one is not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use entity::inbound_mail;
use maildesk_tests::dns::{self, DnsServer, Signer};
use maildesk_tests::mail::mail;
use maildesk_tests::{Backend, TestApp, spawn_app_with};
use protocol::{
    AuthResult, InboundStatus, MailboxSettings, MailboxWithSecret, MessageKind, Role, SenderAuth, TicketStatus,
};
use sea_orm::EntityTrait;

const SUPPORT: &str = "support@help.example.com";

/// An app whose sender authentication asks `dns`.
async fn app_asking(dns: &DnsServer) -> TestApp {
    let addr = dns.addr().to_string();
    spawn_app_with(Backend::Sqlite, move |s| {
        s.scan.dns_resolvers = addr;
        s.scan.dns_timeout_ms = 400;
    })
    .await
}

async fn verdict_of(app: &TestApp, ticket: i64) -> SenderAuth {
    let d = app.api.ticket(&app.admin.token, ticket).await;
    let last = d
        .messages
        .iter()
        .rev()
        .find(|m| m.checks.is_some())
        .expect("a screened message");
    last.checks.clone().unwrap().authentication.expect("a verdict")
}

async fn journal_reason(app: &TestApp, journal_id: i64) -> String {
    inbound_mail::Entity::find_by_id(journal_id)
        .one(app.ctx.db())
        .await
        .unwrap()
        .unwrap()
        .reason
        .unwrap_or_default()
}

#[tokio::test]
async fn a_signed_mail_of_a_dmarc_domain_is_verified_and_agents_see_it() {
    let dns = dns::shared();
    let shop = Signer::publish(dns, "signed");
    dns.publish_dmarc(&shop.domain, "reject");
    let app = app_asking(dns).await;
    let mb = app.mailbox(SUPPORT).await;
    let raw = mail(&shop.address("ann"), SUPPORT, "Where is my order?")
        .message_id(&format!("o1@{}", shop.domain))
        .body("Order 1234 has not arrived.")
        .build();
    let got = app.deliver(&mb, &shop.sign(&raw)).await;
    assert_eq!(got.status, InboundStatus::Processed);
    let v = verdict_of(&app, got.ticket_id.unwrap()).await;
    assert_eq!(
        (v.dkim, v.dmarc, v.spf),
        (AuthResult::Pass, AuthResult::Pass, AuthResult::None),
        "{v:?}"
    );
    assert!(v.verified() && v.dkim_aligned, "{v:?}");
    assert_eq!(v.dkim_domains, vec![shop.domain.clone()]);
    assert_eq!(v.dmarc_policy.as_deref(), Some("reject"));
    assert_eq!(v.checked_by, "maildesk");
}

#[tokio::test]
async fn a_broken_signature_fails_and_dmarc_reject_quarantines_it() {
    let dns = dns::shared();
    let shop = Signer::publish(dns, "broken");
    dns.publish_dmarc(&shop.domain, "reject");
    let app = app_asking(dns).await;
    let mb = app.mailbox(SUPPORT).await;
    let raw = mail(&shop.address("ann"), SUPPORT, "Pay this invoice")
        .message_id(&format!("o2@{}", shop.domain))
        .body("Pay to account 1.")
        .build();
    let signed = String::from_utf8(shop.sign(&raw))
        .unwrap()
        .replace("account 1.", "account 666.");
    let got = app.deliver(&mb, signed.as_bytes()).await;
    assert_eq!(got.status, InboundStatus::Quarantined);
    assert_eq!(got.ticket_id, None);
    let reason = journal_reason(&app, got.journal_id).await;
    assert!(reason.contains("DMARC fails") && reason.contains("reject"), "{reason}");
}

#[tokio::test]
async fn unsigned_mail_of_a_domain_without_records_is_none_and_still_a_ticket() {
    let dns = dns::shared();
    let app = app_asking(dns).await;
    let mb = app.mailbox(SUPPORT).await;
    let from = format!("bob@{}", dns::unique_domain("plain"));
    let got = app
        .deliver(&mb, &mail(&from, SUPPORT, "Hello").message_id("n1@plain.test").build())
        .await;
    assert_eq!(got.status, InboundStatus::Processed);
    let v = verdict_of(&app, got.ticket_id.unwrap()).await;
    assert_eq!((v.dkim, v.dmarc), (AuthResult::None, AuthResult::None), "{v:?}");
    assert!(!v.verified());
    assert!(v.why_not().unwrap().contains("no signature"), "{v:?}");
}

#[tokio::test]
async fn a_signature_of_another_domain_is_not_the_senders() {
    let dns = dns::shared();
    let mailer = Signer::publish(dns, "bulkmailer");
    let victim = dns::unique_domain("victim");
    dns.publish_dmarc(&victim, "none");
    let app = app_asking(dns).await;
    let mb = app.mailbox(SUPPORT).await;
    let raw = mail(&format!("ceo@{victim}"), SUPPORT, "Urgent transfer")
        .message_id("m1@bulk.test")
        .build();
    let got = app.deliver(&mb, &mailer.sign(&raw)).await;
    assert_eq!(got.status, InboundStatus::Processed, "p=none asks for nothing");
    let v = verdict_of(&app, got.ticket_id.unwrap()).await;
    assert_eq!((v.dkim, v.dmarc), (AuthResult::Pass, AuthResult::Fail), "{v:?}");
    assert!(!v.dkim_aligned && !v.verified(), "{v:?}");
    assert_eq!(v.dkim_domains, vec![mailer.domain.clone()]);
}

#[tokio::test]
async fn dns_down_is_temperror_and_the_mail_is_kept() {
    let private = DnsServer::private("maildesk-dns-down", dns::free_port_pair());
    let shop = Signer::publish(&private, "down");
    dns::shared().publish_dmarc(&shop.domain, "reject");
    let app = app_asking(&private).await;
    private.stop();
    let mb = app.mailbox(SUPPORT).await;
    let raw = mail(&shop.address("ann"), SUPPORT, "While DNS is down")
        .message_id(&format!("t1@{}", shop.domain))
        .build();
    let got = app.deliver(&mb, &shop.sign(&raw)).await;
    assert_eq!(got.status, InboundStatus::Processed, "DNS trouble never rejects");
    let v = verdict_of(&app, got.ticket_id.unwrap()).await;
    assert!(v.temporary(), "{v:?}");
    assert!(!v.verified());
    assert_eq!(v.dkim, AuthResult::Temperror, "{v:?}");
}

/// The attack: `From:` an agent, `Re: [#N] #close#`, a Cc to the attacker.
fn spoof(agent: &str, ticket: i64, id: &str) -> Vec<u8> {
    mail(agent, SUPPORT, &format!("Re: [#{ticket}] Your refund #close#"))
        .header("Cc", "attacker@evil.test")
        .message_id(id)
        .body("Refund approved; send your card number to attacker@evil.test.")
        .build()
}

async fn agent_at(app: &TestApp, email: &str) {
    let req = protocol::CreateUser {
        email: email.into(),
        name: "Agent Smith".into(),
        role: Role::Agent,
        password: Some("password-123".into()),
        company_id: None,
    };
    let resp = app.api.post_json(&app.admin.token, "/users", &req).await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap_or_default());
}

#[tokio::test]
async fn a_forged_agent_changes_nothing_and_the_signed_agent_is_the_agent() {
    let dns = dns::shared();
    let staff = Signer::publish(dns, "staff");
    dns.publish_dmarc(&staff.domain, "none");
    let app = app_asking(dns).await;
    let mb = app.mailbox(SUPPORT).await;
    let agent = staff.address("smith");
    agent_at(&app, &agent).await;
    let customer = format!("ivy@{}", dns::unique_domain("cust"));
    let ticket = app
        .deliver(
            &mb,
            &mail(&customer, SUPPORT, "Refund").message_id("r1@cust.test").build(),
        )
        .await
        .ticket_id
        .unwrap();

    let forged = app.deliver(&mb, &spoof(&agent, ticket, "forged@evil.test")).await;
    assert_ne!(forged.ticket_id, Some(ticket), "the forged mail joined ticket {ticket}");
    let d = app.api.ticket(&app.admin.token, ticket).await;
    assert_eq!(d.ticket.status, TicketStatus::Open, "#close# ran");
    assert_eq!(d.messages.len(), 1, "{:?}", d.messages);
    assert!(
        d.subscribers.iter().all(|s| s.email != "attacker@evil.test"),
        "{:?}",
        d.subscribers
    );

    let signed = app
        .deliver(&mb, &staff.sign(&spoof(&agent, ticket, "real@staff.test")))
        .await;
    assert_eq!(
        signed.ticket_id,
        Some(ticket),
        "the agent's signed answer joins the ticket"
    );
    let d = app.api.ticket(&app.admin.token, ticket).await;
    let last = d.messages.last().unwrap();
    assert_eq!(last.kind, MessageKind::Reply, "{:?}", d.messages);
    assert_eq!(last.author.as_ref().map(|a| a.email.as_str()), Some(agent.as_str()));
    assert_eq!(d.ticket.status, TicketStatus::Closed, "the agent's #close#");
}

#[tokio::test]
async fn a_subject_token_joins_only_a_verified_participant() {
    let dns = dns::shared();
    let shop = Signer::publish(dns, "requester");
    let app = app_asking(dns).await;
    let mb = app.mailbox(SUPPORT).await;
    let ann = shop.address("ann");
    let first = mail(&ann, SUPPORT, "Invoice")
        .message_id(&format!("i1@{}", shop.domain))
        .build();
    let t = app.deliver(&mb, &shop.sign(&first)).await.ticket_id.unwrap();
    let again = |id: &str| {
        mail(&ann, SUPPORT, &format!("Re: [#{t}] Invoice"))
            .message_id(id)
            .build()
    };

    let unsigned = app.deliver(&mb, &again("i2@x.test")).await;
    let linked = unsigned.ticket_id.unwrap();
    assert_ne!(linked, t, "an unproven From: joined by the ticket number");
    let d = app.api.ticket(&app.admin.token, linked).await;
    assert!(
        d.events
            .iter()
            .any(|e| e.field == "follows_up" && e.new_value.as_deref() == Some(&*t.to_string())),
        "{:?}",
        d.events
    );
    assert_eq!(d.messages[0].thread_rule.as_deref(), Some("subject_token_unverified"));

    let signed = app.deliver(&mb, &shop.sign(&again("i3@x.test"))).await;
    assert_eq!(signed.ticket_id, Some(t), "the verified requester joins by the number");

    // A mailbox that only watches the verdicts lets the number decide, as before.
    let watching = MailboxSettings {
        sender_policy: Some(protocol::SenderPolicy::Monitor),
        ..Default::default()
    };
    app.update_mailbox(&mb, &watching).await;
    let watched = app.deliver(&mb, &again("i4@x.test")).await;
    assert_eq!(watched.ticket_id, Some(t));
}

#[tokio::test]
async fn spf_through_our_receiver_passes_for_the_allowed_ip_and_fails_otherwise() {
    let dns = dns::shared();
    let good = dns::unique_domain("spfok");
    dns.publish_spf(&good, "127.0.0.1");
    dns.publish_dmarc(&good, "quarantine");
    let bad = dns::unique_domain("spfbad");
    dns.publish_spf(&bad, "192.0.2.1");
    dns.publish_dmarc(&bad, "quarantine");
    let addr = dns.addr().to_string();
    let app = spawn_app_with(Backend::Sqlite, move |s| {
        s.scan.dns_resolvers = addr;
        s.receiver.smtp_bind = "127.0.0.1:0".into();
        s.receiver.hostname = "mx.maildesk.test".into();
    })
    .await;
    let r = maildesk::mail::receiver::start(app.ctx.clone()).await.unwrap().unwrap();
    let smtp = r.smtp.unwrap();
    app.mailbox(SUPPORT).await;
    let trusting = app.mailbox("trusting@help.example.com").await;
    let trust_google = MailboxSettings {
        trusted_auth_hosts: Some("mx.google.com".into()),
        ..Default::default()
    };
    app.update_mailbox(&trusting, &trust_google).await;

    let ok = maildesk_tests::smtp::send_raw(
        smtp,
        "mta.test",
        &format!("a@{good}"),
        SUPPORT,
        &mail(&format!("a@{good}"), SUPPORT, "SPF ok")
            .message_id("s1@spf.test")
            .build(),
    )
    .await;
    assert!(ok.starts_with("250"), "{ok}");
    let bad_answer = maildesk_tests::smtp::send_raw(
        smtp,
        "mta.test",
        &format!("b@{bad}"),
        SUPPORT,
        &mail(&format!("b@{bad}"), SUPPORT, "SPF bad")
            .message_id("s2@spf.test")
            .build(),
    )
    .await;
    assert!(
        bad_answer.starts_with("250"),
        "a failing SPF is still taken (then judged): {bad_answer}"
    );

    let rows = inbound_mail::Entity::find().all(app.ctx.db()).await.unwrap();
    let of = |subject: &str| {
        let row = rows
            .iter()
            .find(|r| String::from_utf8_lossy(&r.raw).contains(subject))
            .unwrap();
        let checks: protocol::MailChecks = serde_json::from_str(row.checks.as_deref().unwrap()).unwrap();
        (row.status.clone(), checks.authentication.unwrap(), row.reason.clone())
    };
    let (status, v, _) = of("SPF ok");
    assert_eq!(status, "processed");
    assert_eq!((v.spf, v.dmarc), (AuthResult::Pass, AuthResult::Pass), "{v:?}");
    assert_eq!(v.spf_domain.as_deref(), Some(good.as_str()));
    let (status, v, reason) = of("SPF bad");
    assert_eq!((v.spf, v.dmarc), (AuthResult::Fail, AuthResult::Fail), "{v:?}");
    assert_eq!(status, "quarantined", "p=quarantine: {reason:?}");

    // Straight to our receiver, a forged "trusted" verdict on top is the sender's own words.
    let forged = mail(&format!("c@{bad}"), "trusting@help.example.com", "Forged stamp")
        .header(
            "Authentication-Results",
            &format!("mx.google.com; dmarc=pass header.from={bad}"),
        )
        .message_id("s3@spf.test")
        .build();
    let answer = maildesk_tests::smtp::send_raw(
        smtp,
        "mta.test",
        &format!("c@{bad}"),
        "trusting@help.example.com",
        &forged,
    )
    .await;
    assert!(answer.starts_with("250"), "{answer}");
    let rows = inbound_mail::Entity::find().all(app.ctx.db()).await.unwrap();
    let row = rows
        .iter()
        .find(|r| String::from_utf8_lossy(&r.raw).contains("Forged stamp"))
        .unwrap();
    let checks: protocol::MailChecks = serde_json::from_str(row.checks.as_deref().unwrap()).unwrap();
    let v = checks.authentication.unwrap();
    assert_eq!(v.checked_by, "maildesk", "{v:?}");
    assert!(!v.verified());
}

#[tokio::test]
async fn a_trusted_hosts_verdict_is_read_and_a_forged_one_is_not() {
    let dns = dns::shared();
    let app = app_asking(dns).await;
    let mb = app.mailbox(SUPPORT).await;
    let trusting = MailboxSettings {
        trusted_auth_hosts: Some("mx.google.com".into()),
        ..Default::default()
    };
    app.update_mailbox(&mb, &trusting).await;
    let stamped = |host: &str, id: &str| {
        mail("lee@gmail-user.test", SUPPORT, "Stamped")
            .header(
                "Authentication-Results",
                &format!(
                    "{host}; dkim=pass header.i=@gmail-user.test; dmarc=pass (p=NONE) header.from=gmail-user.test"
                ),
            )
            .message_id(id)
            .build()
    };
    let trusted = app.deliver(&mb, &stamped("mx.google.com", "g1@gmail-user.test")).await;
    let v = verdict_of(&app, trusted.ticket_id.unwrap()).await;
    assert!(v.verified(), "{v:?}");
    assert_eq!(v.checked_by, "mx.google.com");

    let forged = app.deliver(&mb, &stamped("mx.evil.test", "g2@gmail-user.test")).await;
    let v = verdict_of(&app, forged.ticket_id.unwrap()).await;
    assert!(!v.verified(), "a header from a host nobody named decided: {v:?}");
    assert_eq!(v.checked_by, "maildesk", "checked here instead");
}

#[tokio::test]
async fn mail_parse_prints_the_verdict() {
    let dns = dns::shared();
    let shop = Signer::publish(dns, "parse");
    dns.publish_dmarc(&shop.domain, "quarantine");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.eml");
    let raw = mail(&shop.address("ann"), SUPPORT, "Parse me")
        .message_id("p1@parse.test")
        .build();
    std::fs::write(&file, shop.sign(&raw)).unwrap();
    let authenticator = maildesk::mail::inbound::screen::auth::Authenticator::new(
        &[dns.addr()],
        std::time::Duration::from_millis(500),
        "",
    )
    .unwrap();
    let out = maildesk::cli_mail::parse_file(&file, Some(&authenticator))
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["authentication"]["dmarc"], "pass", "{json}");
    assert_eq!(json["authentication"]["dkim"], "pass");
    assert_eq!(json["subject"], "Parse me");
}

/// Keep the type in scope for readers: the mailbox the tests deliver to.
#[allow(dead_code)]
type Mailbox = MailboxWithSecret;
