//! Database connection and migrations, for SQLite (embedded default) and PostgreSQL.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::postgres::{PgConnectOptions, PgSslMode};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

use crate::settings::Settings;

/// Prepared statements kept per PostgreSQL connection (sqlx keeps 100). The ingest path alone
/// runs about 250 different statements (an `IN` list of each length is its own), so with 100
/// every connection kept evicting and preparing again: a Parse round trip and a fresh plan
/// for a good share of executions. 512 holds the ingest path and the common API queries
/// while bounding the plans each PostgreSQL backend keeps.
const STATEMENT_CACHE: usize = 512;

pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let url = settings.database_url();
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating data dir {}", settings.data_dir.display()))?;
    }
    let port = tcp_port(&url);
    let plain_loopback = loopback_without_sslmode(&url);
    let mut options = ConnectOptions::new(url);
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false)
        // SQLite has one writer; a single connection avoids "database is locked" when two
        // deferred transactions both try to upgrade to writers.
        .max_connections(if sqlite { 1 } else { settings.database.max_connections });
    options.map_sqlx_postgres_opts(move |o| {
        let o = o.statement_cache_capacity(STATEMENT_CACHE);
        if plain_loopback {
            o.ssl_mode(PgSslMode::Disable)
        } else {
            o
        }
    });
    if let Some(port) = port {
        options.map_sqlx_postgres_pool_opts(move |pool| {
            pool.after_connect(move |_conn, _meta| {
                Box::pin(async move {
                    crate::db_nodelay::set_on_sockets_to(port);
                    Ok(())
                })
            })
        });
    }
    let db = Database::connect(options).await.context("connecting to the database")?;
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;")
            .await
            .context("configuring SQLite")?;
    }
    Ok(db)
}

/// The port of a PostgreSQL URL that connects over TCP (not a Unix socket).
fn tcp_port(url: &str) -> Option<u16> {
    if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
        return None;
    }
    let options: PgConnectOptions = url.parse().ok()?;
    (!options.get_host().starts_with('/')).then(|| options.get_port())
}

/// A PostgreSQL URL to this very host that says nothing about TLS. sqlx would then try TLS
/// ("prefer"), and Debian's server offers it: every mail crossed the loopback interface
/// encrypted and decrypted on both sides for nothing (the bytes never leave the kernel).
/// `maildesk bench ingest` showed the cost (figures in `docs/PERFORMANCE.md`). An explicit
/// `sslmode` is always obeyed.
fn loopback_without_sslmode(url: &str) -> bool {
    if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) || url.contains("sslmode=") {
        return false;
    }
    let Ok(options) = url.parse::<PgConnectOptions>() else {
        return false;
    };
    // An IPv6 host keeps its URL brackets.
    let host = options.get_host().trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("applying migrations")
}

/// `sqlite` or `postgres`, for health reports.
pub fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Sqlite => "sqlite",
        DbBackend::Postgres => "postgres",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::loopback_without_sslmode;

    #[test]
    fn tls_is_skipped_only_for_loopback_urls_that_do_not_ask_for_it() {
        assert!(loopback_without_sslmode("postgres://postgres@127.0.0.1:5432/db"));
        assert!(loopback_without_sslmode("postgresql://u@localhost/db"));
        assert!(loopback_without_sslmode("postgres://u@[::1]:5432/db"));
        assert!(!loopback_without_sslmode("postgres://u@127.0.0.1/db?sslmode=require"));
        assert!(!loopback_without_sslmode("postgres://u@db.example.com/db"));
        assert!(!loopback_without_sslmode("postgres://u@10.0.0.5/db"));
        assert!(!loopback_without_sslmode("sqlite://data/maildesk.db"));
    }
}
