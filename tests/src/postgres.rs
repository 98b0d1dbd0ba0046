//! Fresh PostgreSQL databases per test, cloned from a template built once from the real
//! migrations (never from the entities).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

pub const SERVER: &str = "postgres://postgres@127.0.0.1:5432";
/// Serialises template builds and clones across test processes.
const LOCK_KEY: i64 = 0x6d61_696c_6465_736b;

pub struct TestDatabase {
    name: String,
}

async fn admin_connection() -> DatabaseConnection {
    let mut opts = ConnectOptions::new(format!("{SERVER}/postgres"));
    opts.max_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    Database::connect(opts).await.unwrap_or_else(|e| {
        panic!("cannot reach PostgreSQL at {SERVER}: {e}\nstart PostgreSQL on 127.0.0.1:5432 (trust auth for user postgres)")
    })
}

/// Named by the migrations and their source: a migration edited before it landed must not
/// reuse a template built from its earlier text.
fn template_name() -> String {
    let mut h = DefaultHasher::new();
    for m in Migrator::migrations() {
        m.name().hash(&mut h);
    }
    let dir = crate::workspace_root().join("migration/src");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        std::fs::read(&f).unwrap_or_default().hash(&mut h);
    }
    format!("mdtpl_{:016x}", h.finish())
}

async fn exists(admin: &DatabaseConnection, name: &str) -> bool {
    let row = admin
        .query_one_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .expect("querying pg_database");
    row.is_some()
}

async fn ensure_template(admin: &DatabaseConnection, name: &str) {
    if exists(admin, name).await {
        return;
    }
    let building = format!("{name}_building");
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
        .await
        .expect("dropping a half-built template");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {building}"))
        .await
        .expect("creating the template");
    {
        let db = Database::connect(format!("{SERVER}/{building}"))
            .await
            .expect("connecting to the template");
        Migrator::up(&db, None).await.expect("migrating the template");
        db.close().await.expect("closing the template connection");
    }
    // Renamed only once complete, so a crash never leaves a half-migrated template in use.
    admin
        .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {name}"))
        .await
        .expect("renaming the template");
}

impl TestDatabase {
    pub async fn create() -> Self {
        let admin = admin_connection().await;
        let template = template_name();
        let name = format!("mdtest_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("SELECT pg_advisory_lock({LOCK_KEY})"))
            .await
            .expect("taking the template lock");
        ensure_template(&admin, &template).await;
        let created = admin
            .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await;
        admin
            .execute_unprepared(&format!("SELECT pg_advisory_unlock({LOCK_KEY})"))
            .await
            .expect("releasing the template lock");
        created.expect("cloning the template database");
        let _ = admin.close().await;
        Self { name }
    }

    pub fn url(&self) -> String {
        format!("{SERVER}/{}", self.name)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs outside async; a short-lived runtime on its own thread does the cleanup.
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(admin) = Database::connect(format!("{SERVER}/postgres")).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}
