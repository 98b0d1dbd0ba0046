//! Who may see and do what: a customer reaches only their own tickets (or their company's, when
//! the portal shares them) and never internal notes or their files; an agent works only the
//! categories they belong to; an admin sees everything; anonymous callers get nothing.

use maildesk_tests::client::{expect_error_for, new_ticket, ok_json};
use maildesk_tests::{Backend, TestApp, TestUser, both_backends, spawn_app, spawn_app_with};
use protocol::{
    Category, Company, CreateCategory, CreateCompany, CreateUser, ErrorCode, MessageKind, Page, PostMessage, Role,
    SetCategoryAgents, Ticket, TicketDetail, TicketStatus, UpdateTicket,
};
use reqwest::Response;

async fn open(app: &TestApp, who: &TestUser, subject: &str, category_id: Option<i64>) -> Ticket {
    let mut req = new_ticket(subject);
    req.category_id = category_id;
    app.api.create_ticket(&who.token, &req).await.ticket
}

/// Posts to `/tickets/{id}/{kind}` (`replies` or `notes`) a message written against version `v`.
async fn write(app: &TestApp, who: &TestUser, id: i64, kind: &str, v: i64, files: Vec<i64>) -> Response {
    let msg = PostMessage {
        body: format!("{kind} by {}", who.email),
        version: v,
        status: None,
        attachment_ids: files,
    };
    app.api
        .post_json(&who.token, &format!("/tickets/{id}/{kind}"), &msg)
        .await
}

async fn close(app: &TestApp, who: &TestUser, id: i64, v: i64) -> Response {
    let req = UpdateTicket {
        version: v,
        status: Some(TicketStatus::Closed),
        ..Default::default()
    };
    app.api.patch_json(&who.token, &format!("/tickets/{id}"), &req).await
}

async fn take(app: &TestApp, who: &TestUser, id: i64) -> Response {
    app.api
        .post_json(&who.token, &format!("/tickets/{id}/take"), &serde_json::json!({}))
        .await
}

async fn get(app: &TestApp, who: &TestUser, path: &str) -> Response {
    app.api.get(&who.token, path).await
}

/// Asserts a refusal: 401 `unauthorized`, 403 `forbidden` or 404 `not_found`.
async fn refused(what: &str, resp: Response, status: u16) {
    let code = match status {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        other => panic!("no refusal code for {other}"),
    };
    expect_error_for(what, resp, status, code).await;
}

async fn set_agents(app: &TestApp, category: i64, agents: &[i64]) -> Category {
    let req = SetCategoryAgents {
        agent_ids: agents.to_vec(),
    };
    let cat: Category = ok_json(
        app.api
            .put_json(&app.admin.token, &format!("/categories/{category}/agents"), &req)
            .await,
    )
    .await;
    assert_eq!(cat.agent_ids, agents.to_vec());
    cat
}

async fn create_category(app: &TestApp, name: &str, agents: &[i64]) -> Category {
    let req = CreateCategory {
        name: name.into(),
        description: String::new(),
    };
    let created: Category = ok_json(app.api.post_json(&app.admin.token, "/categories", &req).await).await;
    set_agents(app, created.id, agents).await
}

async fn sorted_ids(app: &TestApp, u: &TestUser) -> Vec<i64> {
    let mut ids = app.api.ticket_ids(&u.token).await;
    ids.sort_unstable();
    ids
}

both_backends!(
    a_customer_cannot_reach_another_customers_ticket,
    |app: TestApp| async move {
        let [a, b] = [app.new_user(Role::Customer).await, app.new_user(Role::Customer).await];
        let agent = app.new_user(Role::Agent).await;
        let mine = open(&app, &a, "A's own problem", None).await;
        let theirs = open(&app, &b, "B's private problem", None).await;
        // A public reply with a file on B's ticket, so there is something to download.
        let file = app
            .api
            .upload_ok(&agent.token, theirs.id, "for-b.txt", "B's file")
            .await;
        let replied: TicketDetail =
            ok_json(write(&app, &agent, theirs.id, "replies", theirs.version, vec![file.id]).await).await;
        let download = format!("/attachments/{}", file.id);
        assert_eq!(get(&app, &b, &download).await.status(), 200, "B reads their own file");

        let (id, v) = (theirs.id, replied.ticket.version);
        let path = format!("/tickets/{id}");
        let guessed = expect_error_for(
            "A GETs B's ticket",
            get(&app, &a, &path).await,
            404,
            ErrorCode::NotFound,
        )
        .await;
        let missing = get(&app, &a, "/tickets/99999999").await;
        let missing = expect_error_for("A GETs a missing ticket", missing, 404, ErrorCode::NotFound).await;
        assert_eq!(
            guessed.message, missing.message,
            "an existing ticket must look exactly like a missing one"
        );
        refused(
            "A replies to B's ticket",
            write(&app, &a, id, "replies", v, vec![]).await,
            404,
        )
        .await;
        refused(
            "A notes on B's ticket",
            write(&app, &a, id, "notes", v, vec![]).await,
            403,
        )
        .await;
        refused("A patches B's ticket", close(&app, &a, id, v).await, 403).await;
        refused("A takes B's ticket", take(&app, &a, id).await, 403).await;
        refused("A downloads B's file", get(&app, &a, &download).await, 404).await;
        refused(
            "A uploads to B's ticket",
            app.api.upload(&a.token, id, "x.txt", "junk").await,
            404,
        )
        .await;

        // B's ticket never shows in A's list, not even when asked for by requester.
        assert_eq!(app.api.ticket_ids(&a.token).await, vec![mine.id]);
        let by_b: Page<Ticket> = ok_json(get(&app, &a, &format!("/tickets?requester_id={}", b.id)).await).await;
        assert_eq!(by_b.total, 0, "{by_b:?}");
        // And none of A's attempts changed it.
        let after = app.api.ticket(&b.token, id).await;
        assert_eq!((after.ticket.version, after.messages.len()), (v, 2));
    }
);

both_backends!(
    a_customer_never_sees_internal_notes_or_their_files,
    |app: TestApp| async move {
        let customer = app.new_user(Role::Customer).await;
        let agent = app.new_user(Role::Agent).await;
        let t = open(&app, &customer, "Invoice wrong", None).await;
        let secret = app
            .api
            .upload_ok(&agent.token, t.id, "internal.txt", "staff eyes only")
            .await;
        let noted: TicketDetail = ok_json(write(&app, &agent, t.id, "notes", t.version, vec![secret.id]).await).await;
        let public = app
            .api
            .upload_ok(&agent.token, t.id, "public.txt", "corrected invoice")
            .await;
        let v = noted.ticket.version;
        let replied: TicketDetail = ok_json(write(&app, &agent, t.id, "replies", v, vec![public.id]).await).await;
        let unsent = app.api.upload_ok(&agent.token, t.id, "draft.txt", "not sent yet").await;
        let v = replied.ticket.version;

        // Staff see the note, its file and the history.
        let staff = app.api.ticket(&agent.token, t.id).await;
        let note = staff
            .messages
            .iter()
            .find(|m| m.kind == MessageKind::Note)
            .expect("staff see the note");
        assert_eq!(
            note.attachments.iter().map(|a| a.id).collect::<Vec<_>>(),
            vec![secret.id]
        );
        assert!(!staff.events.is_empty());
        // The customer sees neither.
        let seen = app.api.ticket(&customer.token, t.id).await;
        assert!(
            seen.messages
                .iter()
                .all(|m| m.kind != MessageKind::Note && m.body_text != note.body_text),
            "{seen:?}"
        );
        assert!(seen.events.is_empty(), "{:?}", seen.events);
        let files: Vec<i64> = seen
            .messages
            .iter()
            .flat_map(|m| m.attachments.iter().map(|a| a.id))
            .collect();
        assert_eq!(files, vec![public.id]);

        let [secret_url, unsent_url, public_url] =
            [secret.id, unsent.id, public.id].map(|id| format!("/attachments/{id}"));
        refused(
            "customer downloads a note's file",
            get(&app, &customer, &secret_url).await,
            404,
        )
        .await;
        refused(
            "customer downloads an unsent upload",
            get(&app, &customer, &unsent_url).await,
            404,
        )
        .await;
        let ok = get(&app, &customer, &public_url).await;
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.bytes().await.expect("bytes").as_ref(), b"corrected invoice");
        let staff_copy = get(&app, &agent, &secret_url).await.bytes().await.expect("bytes");
        assert_eq!(staff_copy.as_ref(), b"staff eyes only");

        // Nor can the customer write staff-only things.
        refused(
            "customer posts a note",
            write(&app, &customer, t.id, "notes", v, vec![]).await,
            403,
        )
        .await;
        refused("customer patches", close(&app, &customer, t.id, v).await, 403).await;
        let resolve = PostMessage {
            body: "thanks".into(),
            version: v,
            status: Some(TicketStatus::Closed),
            attachment_ids: vec![],
        };
        let resolve = app
            .api
            .post_json(&customer.token, &format!("/tickets/{}/replies", t.id), &resolve)
            .await;
        refused("customer sets a status in a reply", resolve, 403).await;
        assert_eq!(
            app.api.ticket(&agent.token, t.id).await.ticket.version,
            v,
            "refused writes changed the ticket"
        );
    }
);

both_backends!(
    agents_work_only_their_categories_and_admins_see_everything,
    |app: TestApp| async move {
        let [member, outsider] = [app.new_user(Role::Agent).await, app.new_user(Role::Agent).await];
        let customer = app.new_user(Role::Customer).await;
        let billing = create_category(&app, "Billing", &[member.id]).await;
        let t = open(&app, &customer, "Double charge", Some(billing.id)).await;
        let inbox = open(&app, &customer, "No category", None).await;
        let path = format!("/tickets/{}", t.id);

        refused("outsider GETs", get(&app, &outsider, &path).await, 403).await;
        refused(
            "outsider replies",
            write(&app, &outsider, t.id, "replies", t.version, vec![]).await,
            403,
        )
        .await;
        refused("outsider patches", close(&app, &outsider, t.id, t.version).await, 403).await;
        refused("outsider takes", take(&app, &outsider, t.id).await, 403).await;
        refused(
            "outsider uploads",
            app.api.upload(&outsider.token, t.id, "x.txt", "x").await,
            403,
        )
        .await;
        // The uncategorised shared inbox is everyone's; the Billing ticket is not the outsider's.
        assert_eq!(app.api.ticket_ids(&outsider.token).await, vec![inbox.id]);

        assert_eq!(sorted_ids(&app, &member).await, vec![t.id, inbox.id]);
        let replied: TicketDetail = ok_json(write(&app, &member, t.id, "replies", t.version, vec![]).await).await;

        // Membership is what grants access, both ways.
        set_agents(&app, billing.id, &[outsider.id]).await;
        assert_eq!(
            app.api.ticket(&outsider.token, t.id).await.ticket.version,
            replied.ticket.version
        );
        assert!(app.api.ticket_ids(&outsider.token).await.contains(&t.id));
        refused("a removed member GETs", get(&app, &member, &path).await, 403).await;
        assert!(!app.api.ticket_ids(&member.token).await.contains(&t.id));

        // The admin is in no category and sees everything.
        assert_eq!(sorted_ids(&app, &app.admin).await, vec![t.id, inbox.id]);
        assert_eq!(app.api.ticket(&app.admin.token, t.id).await.ticket.id, t.id);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_changes_need_the_right_role_and_everything_needs_a_token() {
    let app = spawn_app().await;
    let customer = app.new_user(Role::Customer).await;
    let agent = app.new_user(Role::Agent).await;
    let sales = create_category(&app, "Sales", &[agent.id]).await;
    let user = CreateUser {
        email: "new@example.test".into(),
        name: "N".into(),
        role: Role::Admin,
        password: None,
        company_id: None,
    };
    let cat = CreateCategory {
        name: "Hacked".into(),
        description: String::new(),
    };
    let company = CreateCompany {
        name: "Evil Corp".into(),
        domain: None,
    };
    let (agents, agents_path) = (
        SetCategoryAgents { agent_ids: vec![] },
        format!("/categories/{}/agents", sales.id),
    );
    for u in [&customer, &agent] {
        let who = u.role.as_str();
        refused(
            &format!("{who} creates a user"),
            app.api.post_json(&u.token, "/users", &user).await,
            403,
        )
        .await;
        refused(
            &format!("{who} creates a category"),
            app.api.post_json(&u.token, "/categories", &cat).await,
            403,
        )
        .await;
        refused(
            &format!("{who} creates a company"),
            app.api.post_json(&u.token, "/companies", &company).await,
            403,
        )
        .await;
        refused(
            &format!("{who} sets agents"),
            app.api.put_json(&u.token, &agents_path, &agents).await,
            403,
        )
        .await;
    }
    refused("customer lists users", get(&app, &customer, "/users").await, 403).await;
    refused(
        "customer reads another user",
        get(&app, &customer, &format!("/users/{}", agent.id)).await,
        403,
    )
    .await;
    assert_eq!(get(&app, &agent, "/users").await.status(), 200);
    // Customers see categories, not who works them.
    let cats: Vec<Category> = ok_json(get(&app, &customer, "/categories").await).await;
    assert!(cats.iter().all(|c| c.agent_ids.is_empty()), "{cats:?}");
    // Nothing was created or changed by the refused calls.
    let cats: Vec<Category> = ok_json(get(&app, &app.admin, "/categories").await).await;
    let cats: Vec<_> = cats.into_iter().map(|c| (c.name, c.agent_ids)).collect();
    assert_eq!(cats, vec![("Sales".to_string(), vec![agent.id])]);
    let users: Vec<protocol::User> = ok_json(get(&app, &app.admin, "/users").await).await;
    assert!(users.iter().all(|u| u.email != user.email));

    let t = open(&app, &customer, "Mine", None).await.id;
    for (method, path) in [
        ("GET", "/tickets".to_string()),
        ("POST", "/tickets".into()),
        ("GET", format!("/tickets/{t}")),
        ("PATCH", format!("/tickets/{t}")),
        ("POST", format!("/tickets/{t}/replies")),
        ("POST", format!("/tickets/{t}/take")),
        ("GET", "/auth/me".into()),
        ("GET", "/users".into()),
        ("POST", "/users".into()),
        ("GET", "/categories".into()),
        ("GET", "/attachments/1".into()),
    ] {
        let resp = app
            .api
            .raw(method, &path, None, Some("application/json"), b"{}".to_vec())
            .await;
        let challenge = resp
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        assert_eq!(challenge.as_deref(), Some("Bearer"), "{method} {path}");
        refused(&format!("anonymous {method} {path}"), resp, 401).await;
    }
}

/// Two customers of Acme, one of Globex, one without a company; each opens a ticket.
async fn company_setup(app: &TestApp) -> ([TestUser; 4], [i64; 4]) {
    let mut ids = [0; 2];
    for (i, name) in ["Acme", "Globex"].into_iter().enumerate() {
        let req = CreateCompany {
            name: name.into(),
            domain: None,
        };
        ids[i] = ok_json::<Company>(app.api.post_json(&app.admin.token, "/companies", &req).await)
            .await
            .id;
    }
    let users = [
        app.new_user_in(Role::Customer, Some(ids[0])).await,
        app.new_user_in(Role::Customer, Some(ids[0])).await,
        app.new_user_in(Role::Customer, Some(ids[1])).await,
        app.new_user(Role::Customer).await,
    ];
    let mut tickets = [0; 4];
    for (i, u) in users.iter().enumerate() {
        tickets[i] = open(app, u, &format!("Ticket {i}"), None).await.id;
    }
    (users, tickets)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_company_tickets_on_colleagues_share_tickets_but_not_across_companies() {
    let app = spawn_app_with(Backend::Postgres, |s| s.portal.company_tickets = true).await;
    let ([acme1, acme2, globex, loner], [t1, t2, t3, t4]) = company_setup(&app).await;
    assert_eq!(sorted_ids(&app, &acme1).await, vec![t1, t2]);
    assert_eq!(sorted_ids(&app, &acme2).await, vec![t1, t2]);
    assert_eq!(sorted_ids(&app, &globex).await, vec![t3]);
    assert_eq!(sorted_ids(&app, &loner).await, vec![t4]);
    assert_eq!(app.api.ticket(&acme2.token, t1).await.ticket.requester.id, acme1.id);
    let path = format!("/tickets/{t1}");
    refused(
        "a Globex customer GETs an Acme ticket",
        get(&app, &globex, &path).await,
        404,
    )
    .await;
    refused(
        "a customer without company GETs an Acme ticket",
        get(&app, &loner, &path).await,
        404,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_colleagues_do_not_see_each_others_tickets() {
    let app = spawn_app().await;
    let ([acme1, acme2, _, _], [t1, t2, _, _]) = company_setup(&app).await;
    assert_eq!(sorted_ids(&app, &acme1).await, vec![t1]);
    assert_eq!(sorted_ids(&app, &acme2).await, vec![t2]);
    refused(
        "a colleague GETs",
        get(&app, &acme2, &format!("/tickets/{t1}")).await,
        404,
    )
    .await;
}
