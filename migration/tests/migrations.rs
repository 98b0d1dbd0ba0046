//! Runs the migrations up, down and up again on SQLite (in memory) and on a
//! throw-away PostgreSQL database, and checks that the entities in
//! `maildesk-entity` round-trip through the resulting schema.

#![allow(
    clippy::too_many_lines,
    reason = "a test reads top to bottom as one scenario; the 80-line rule is for product code"
)]
// Test-only crate: a panicking unwrap is how these helpers fail the test
// (clippy's allow-unwrap-in-tests only covers the #[test] fns themselves).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::{SubsecRound, Utc};
use entity::{
    attachment, canned_response, category, category_agent, company, message, subscriber, ticket, ticket_event,
    ticket_tag, user,
};
use maildesk_migration::{Migrator, MigratorTrait, SchemaManager};
use protocol::{Channel, MessageKind, Priority, Role, TicketStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    ModelTrait, PaginatorTrait, QueryFilter, Set,
};

const TABLES: [&str; 11] = [
    "companies",
    "users",
    "categories",
    "category_agents",
    "tickets",
    "messages",
    "attachments",
    "subscribers",
    "ticket_tags",
    "ticket_events",
    "canned_responses",
];

const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

async fn assert_tables(db: &DatabaseConnection, present: bool) {
    let manager = SchemaManager::new(db);
    for table in TABLES {
        let has = manager.has_table(table).await.unwrap();
        assert_eq!(has, present, "table {table}: expected present={present}");
    }
}

/// Inserts one row into every table through the entities, then checks
/// defaults, big ids, timestamps, the unique constraint and the ON DELETE
/// actions.
async fn exercise_schema(db: &DatabaseConnection) {
    // Postgres keeps microseconds; SQLite keeps whatever text we give it.
    let now = Utc::now().trunc_subsecs(6);

    // An id above i32::MAX proves the key really is 64-bit.
    let big_id: i64 = 5_000_000_000;
    let company = company::ActiveModel {
        id: Set(big_id),
        name: Set("Acme".into()),
        domain: Set(Some("acme.test".into())),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(company.id, big_id);
    assert_eq!(company.created_at, now);

    let customer = user::ActiveModel {
        email: Set("alice@acme.test".into()),
        name: Set("Alice".into()),
        role: Set(Role::Customer),
        password_hash: Set(None),
        company_id: Set(Some(company.id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default() // is_active from the column default
    }
    .insert(db)
    .await
    .unwrap();
    assert!(customer.is_active, "users.is_active must default to true");

    let agent = user::ActiveModel {
        email: Set("bob@desk.test".into()),
        name: Set("Bob".into()),
        role: Set(Role::Agent),
        password_hash: Set(Some("$argon2id$...".into())),
        company_id: Set(None),
        is_active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();

    let dup_email = user::ActiveModel {
        email: Set("alice@acme.test".into()),
        name: Set("Alice 2".into()),
        role: Set(Role::Customer),
        is_active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await;
    assert!(dup_email.is_err(), "users.email must be unique");

    let category = category::ActiveModel {
        name: Set("Billing".into()),
        description: Set("Money questions".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();

    category_agent::ActiveModel {
        category_id: Set(category.id),
        user_id: Set(agent.id),
    }
    .insert(db)
    .await
    .unwrap();

    let tkt = ticket::ActiveModel {
        subject: Set("Invoice wrong".into()),
        status: Set(TicketStatus::Open),
        priority: Set(Priority::Normal),
        category_id: Set(Some(category.id)),
        requester_id: Set(customer.id),
        assignee_id: Set(Some(agent.id)),
        via: Set(Channel::Email),
        created_at: Set(now),
        updated_at: Set(now),
        first_response_at: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        due_at: Set(Some(now)),
        ..Default::default() // version from the column default
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(tkt.version, 1, "tickets.version must default to 1");
    assert_eq!(tkt.due_at, Some(now));

    let msg = message::ActiveModel {
        ticket_id: Set(tkt.id),
        kind: Set(MessageKind::Customer),
        author_id: Set(Some(customer.id)),
        body_text: Set("x".repeat(100_000)),
        body_html: Set(Some("<p>hi</p>".into())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(msg.body_text.len(), 100_000);

    let att = attachment::ActiveModel {
        ticket_id: Set(tkt.id),
        message_id: Set(Some(msg.id)),
        filename: Set("invoice.pdf".into()),
        content_type: Set("application/pdf".into()),
        size: Set(6_000_000_000),
        sha256: Set("ab".repeat(32)),
        content_id: Set(None),
        created_at: Set(now),
        ..Default::default() // inline from the column default
    }
    .insert(db)
    .await
    .unwrap();
    assert!(!att.inline, "attachments.inline must default to false");
    assert_eq!(att.size, 6_000_000_000);

    let sub = subscriber::ActiveModel {
        ticket_id: Set(tkt.id),
        email: Set("carol@acme.test".into()),
        user_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    };
    sub.clone().insert(db).await.unwrap();
    assert!(
        sub.insert(db).await.is_err(),
        "subscribers (ticket_id, email) must be unique"
    );

    ticket_tag::ActiveModel {
        ticket_id: Set(tkt.id),
        name: Set("vip".into()),
    }
    .insert(db)
    .await
    .unwrap();

    ticket_event::ActiveModel {
        ticket_id: Set(tkt.id),
        actor_id: Set(Some(agent.id)),
        field: Set("status".into()),
        old_value: Set(Some("new".into())),
        new_value: Set(Some("open".into())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();

    let canned = canned_response::ActiveModel {
        title: Set("Thanks".into()),
        body: Set("Thank you for contacting us.".into()),
        category_id: Set(Some(category.id)),
        created_by: Set(Some(agent.id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();

    // Relations resolve.
    let tickets_in_category = category.find_related(ticket::Entity).count(db).await.unwrap();
    assert_eq!(tickets_in_category, 1);
    let agents = category.find_related(user::Entity).all(db).await.unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0].id, agent.id);

    // ON DELETE RESTRICT: a requester with tickets cannot be deleted.
    assert!(
        user::Entity::delete_by_id(customer.id).exec(db).await.is_err(),
        "deleting a requester must be refused"
    );

    // ON DELETE SET NULL.
    company::Entity::delete_by_id(company.id).exec(db).await.unwrap();
    let customer = user::Entity::find_by_id(customer.id).one(db).await.unwrap().unwrap();
    assert_eq!(customer.company_id, None);

    category::Entity::delete_by_id(category.id).exec(db).await.unwrap();
    let tkt_after = ticket::Entity::find_by_id(tkt.id).one(db).await.unwrap().unwrap();
    assert_eq!(tkt_after.category_id, None);
    let canned = canned_response::Entity::find_by_id(canned.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(canned.category_id, None);
    assert_eq!(category_agent::Entity::find().count(db).await.unwrap(), 0);

    user::Entity::delete_by_id(agent.id).exec(db).await.unwrap();
    let tkt_after = ticket::Entity::find_by_id(tkt.id).one(db).await.unwrap().unwrap();
    assert_eq!(tkt_after.assignee_id, None);
    let canned = canned_response::Entity::find_by_id(canned.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(canned.created_by, None);
    let events = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(tkt.id))
        .all(db)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor_id, None);

    // ON DELETE CASCADE from the ticket.
    ticket::Entity::delete_by_id(tkt.id).exec(db).await.unwrap();
    assert_eq!(message::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(attachment::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(subscriber::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(ticket_tag::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(ticket_event::Entity::find().count(db).await.unwrap(), 0);

    // With no tickets left the requester can go.
    user::Entity::delete_by_id(customer.id).exec(db).await.unwrap();
}

async fn up_down_up(db: &DatabaseConnection) {
    Migrator::up(db, None).await.unwrap();
    assert_tables(db, true).await;
    exercise_schema(db).await;

    Migrator::down(db, None).await.unwrap();
    assert_tables(db, false).await;

    Migrator::up(db, None).await.unwrap();
    assert_tables(db, true).await;
    exercise_schema(db).await;

    // Nothing pending, and running `up` again is a no-op.
    assert!(Migrator::get_pending_migrations(db).await.unwrap().is_empty());
    Migrator::up(db, None).await.unwrap();
}

#[tokio::test]
async fn sqlite_up_down_up() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    up_down_up(&db).await;
    db.close().await.unwrap();
}

#[tokio::test]
async fn postgres_up_down_up() {
    let mut opts = ConnectOptions::new(PG_ADMIN_URL);
    opts.connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5));
    let admin = match Database::connect(opts).await {
        Ok(db) => db,
        Err(e) => panic!(
            "cannot connect to {PG_ADMIN_URL}: {e}; start PostgreSQL on 127.0.0.1:5432 \
             (user postgres, trust auth) to run the migration tests"
        ),
    };

    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!("mig_test_{}_{}", std::process::id(), nanos);
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();

    // Run the real work in its own task so the database is dropped even if
    // an assertion fails.
    let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    let result = tokio::spawn(async move {
        let db = Database::connect(&url).await.unwrap();
        up_down_up(&db).await;
        db.close().await.unwrap();
    })
    .await;

    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .unwrap();
    admin.close().await.unwrap();

    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
