//! An HTML mail with an inline image (multipart/related, `cid:`) shows the image: the message's
//! HTML points at the stored attachment, which the reader can download.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::{TestApp, both_backends};

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

fn related_mail(message_id: &str) -> Vec<u8> {
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD.encode(PNG);
    format!(
        "From: Ann <ann@example.test>\r\n\
         To: help@maildesk.test\r\n\
         Subject: Screenshot of the error\r\n\
         Message-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/related; boundary=\"rel\"\r\n\
         \r\n\
         --rel\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         \r\n\
         <p>See the error:</p><img src=\"cid:shot1@example.test\" alt=\"error dialog\">\r\n\
         --rel\r\n\
         Content-Type: image/png; name=\"shot.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         Content-ID: <shot1@example.test>\r\n\
         Content-Disposition: inline; filename=\"shot.png\"\r\n\
         \r\n\
         {png}\r\n\
         --rel--\r\n"
    )
    .into_bytes()
}

both_backends!(inline_images_point_at_their_attachment, |app: TestApp| async move {
    let mb = app.mailbox("help@maildesk.test").await;
    let raw = related_mail(&format!("{}@example.test", uuid::Uuid::new_v4().simple()));
    let ticket_id = app.deliver(&mb, &raw).await.ticket_id.expect("a ticket");
    let detail = app.api.ticket(&app.admin.token, ticket_id).await;
    let message = &detail.messages[0];
    let image = message
        .attachments
        .iter()
        .find(|a| {
            a.content_id
                .as_deref()
                .is_some_and(|c| c.contains("shot1@example.test"))
        })
        .expect("the inline image is stored as an attachment");
    let html = message.body_html.as_deref().expect("HTML body");
    assert!(html.contains(&format!("src=\"{}\"", image.url)), "{html}");
    assert!(!html.contains("cid:"), "{html}");
    // A URL the browser opens itself (an <img> sends no header) carries a one-time ticket.
    let ticket = app.api.url_ticket_ok(&app.admin.token).await;
    let resp = app
        .api
        .http()
        .get(format!("{}{}?ticket={ticket}", app.address(), image.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PNG);
});
