//! Rating with a comment in headless Chromium: the requester of a resolved ticket writes a
//! comment and clicks "Good" in the portal; the API has both, the portal shows the comment
//! back, and the staff ticket page shows the rating and the comment. Needs
//! `bash scripts/chromium.sh` and `bash scripts/build-frontend.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use maildesk_tests::browser::{Browser, person};
use maildesk_tests::client::{new_ticket, ok_json};
use maildesk_tests::spawn_app;
use protocol::{Role, TicketDetail, TicketStatus, UpdateTicket};

const COMMENT: &str = "Quick and friendly, thank you!";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_rates_with_a_comment_and_staff_see_it() {
    let app = spawn_app().await;
    let customer = person(&app, Role::Customer, "Dana Whitfield").await;
    let ticket = app
        .api
        .create_ticket(&customer.token, &new_ticket("Cannot print invoices"))
        .await
        .ticket;
    let resolved: TicketDetail = ok_json(
        app.api
            .patch_json(
                &app.admin.token,
                &format!("/tickets/{}", ticket.id),
                &UpdateTicket {
                    version: ticket.version,
                    status: Some(TicketStatus::Resolved),
                    ..Default::default()
                },
            )
            .await,
    )
    .await;
    assert_eq!(resolved.ticket.rating, None);

    let c = Browser::open(app.address(), "customer").await;
    c.goto("/login").await;
    c.submit_login(&customer).await;
    c.goto(&format!("/tickets/{}", ticket.id)).await;
    c.type_into("[data-testid=rating-comment-input]", COMMENT).await;
    c.click("[data-testid=rate-good]").await;
    c.wait_for_text("[data-testid=rating-comment]", COMMENT).await;
    c.wait_attr("[data-testid=ticket-rating]", "data-rating", "the rating shown", |v| {
        v == "good"
    })
    .await;
    assert!(
        c.attr("[data-testid=rating-comment-input]", "id").await.is_none(),
        "the comment box stayed after rating"
    );
    let now = app.api.ticket(&app.admin.token, ticket.id).await.ticket;
    assert_eq!(now.rating.as_deref(), Some("good"));
    assert_eq!(now.rating_comment.as_deref(), Some(COMMENT));
    c.close().await;

    let b = Browser::signed_in(app.address(), "admin", &app.admin).await;
    b.goto(&format!("/tickets/{}", ticket.id)).await;
    b.wait_for_text("[data-testid=sidebar-rating]", "Good").await;
    b.wait_for_text("[data-testid=sidebar-rating-comment]", COMMENT).await;
    b.close().await;
}
