//! The `maildesk` command line.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use protocol::{CreateUser, Role};

use crate::cli_mail;
use crate::mail::inbound::journal::Source;
use crate::settings::Settings;
use crate::{Application, db};

#[derive(Debug, Parser)]
#[command(
    name = "maildesk",
    version,
    about = "Maildesk: every support e-mail becomes a ticket your team works together, live."
)]
pub struct Cli {
    /// A TOML file with settings (layered over the defaults, under the environment).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where SQLite, attachments, keys and the search index live.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (API, browser app) until stopped.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long, value_name = "HOST:PORT")]
        bind: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import mail from .eml files, mbox files or Maildir folders through the inbound pipeline.
    Import {
        /// A file or folder.
        path: PathBuf,
        /// The mailbox the mail belongs to (its rules apply).
        #[arg(long)]
        mailbox: Option<i64>,
    },
    /// Import bundled sample mails (requests, a threaded reply, attachments, an auto-reply, a
    /// bounce) through the inbound pipeline, so there is something to look at.
    Demo,
    /// Inspect and repair inbound mail.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Rebuild the search index from the database (safe while the server runs).
    Reindex {
        /// No progress bar (for scripts and logs).
        #[arg(long)]
        quiet: bool,
    },
    /// Benchmarks that print their figures. They write into the configured database: point
    /// DATABASE_URL at a scratch one.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Mails through the built-in SMTP receiver over several connections, beside the same
    /// number of mails handed to the pipeline as the webhook does, in the same run.
    Receiver {
        #[arg(long, default_value_t = 2000)]
        count: usize,
        #[arg(long, default_value_t = 8)]
        connections: usize,
    },
    /// The ingest mix with screening off, with sender authentication on (warm DNS), and with
    /// authentication and clamd on, in one run (`scripts/bench screening` starts the rigs).
    Screening {
        #[arg(long, default_value_t = 2000)]
        count: usize,
        #[arg(long, default_value_t = 128)]
        concurrency: usize,
        /// The DNS server with the senders' records (`127.0.0.1:10053`).
        #[arg(long)]
        dns: std::net::SocketAddr,
        #[arg(long, default_value = "unbound-control")]
        unbound_control: String,
        /// The config `unbound-control` talks to the DNS server with.
        #[arg(long)]
        unbound_conf: String,
        /// clamd's socket.
        #[arg(long)]
        clamd: String,
    },
    /// Mails through the whole inbound pipeline, beside the parse-only rate.
    Ingest {
        #[arg(long, default_value_t = 2000)]
        count: usize,
        /// Mails submitted at once (as an MTA posting to the webhook would); batches form
        /// from what is waiting.
        #[arg(long, default_value_t = 128)]
        concurrency: usize,
    },
    /// Search: indexing rate and query latency on generated tickets and articles, per engine
    /// (Tantivy in a scratch folder; Meilisearch at MEILI_URL under scratch index names; no
    /// database needed).
    Search {
        /// Engines to measure, side by side: `--engine tantivy --engine meilisearch`.
        #[arg(long = "engine", value_enum, value_delimiter = ',', default_values_t = [crate::bench::search::EngineChoice::Tantivy])]
        engines: Vec<crate::bench::search::EngineChoice>,
        #[arg(long, default_value_t = 100_000)]
        tickets: usize,
        #[arg(long, default_value_t = 5_000)]
        articles: usize,
        #[arg(long, default_value_t = 2_000)]
        queries: usize,
    },
    /// Delivery → ticket latency through an IMAP server with IDLE (plain IMAP on loopback).
    Imap {
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        #[arg(long, default_value_t = 10143)]
        port: u16,
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "secret")]
        password: String,
        #[arg(long, default_value_t = 50)]
        count: usize,
    },
    /// Hostile mails (10 MB, 1,000-deep nesting, 100,000 header lines, a million-line quote)
    /// through the whole parse path, beside an ordinary one (no database needed).
    Pathological {
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Only the mails whose name contains this (e.g. `HTML`), to profile one.
        #[arg(long)]
        only: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Print, as JSON, exactly what the pipeline sees of a mail file.
    Parse { file: PathBuf },
    /// Reprocess failed mail (dead letters): one by id, or all.
    Replay {
        id: Option<i64>,
        #[arg(long, conflicts_with = "id")]
        all_failed: bool,
    },
    /// Check a Microsoft Graph mailbox against the real service with its own OAuth grant:
    /// token, mailbox, one delta page, one message's MIME; with --send-to, a test mail through
    /// sendMail. Read-only otherwise.
    GraphCheck {
        #[arg(long)]
        mailbox: i64,
        #[arg(long)]
        send_to: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is prompted for, or read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    Agent,
    Customer,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Admin => Role::Admin,
            RoleArg::Agent => Role::Agent,
            RoleArg::Customer => Role::Customer,
        }
    }
}

impl Cli {
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let mut settings = Settings::load(self.config.as_deref())?;
        if let Some(dir) = &self.data_dir {
            settings.data_dir = dir.clone();
        }
        if let Command::Serve { bind: Some(bind) } = &self.command {
            settings.http.bind = bind.clone();
        }
        Ok(settings)
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings()?;
    match cli.command {
        Command::Serve { .. } => serve(settings).await,
        Command::Reindex { quiet } => {
            let conn = db::connect(&settings).await?;
            db::migrate(&conn).await?;
            let search = crate::search::Search::open(&settings).await?;
            crate::search::reindex::run(search.engine(), &conn, !quiet).await?;
            Ok(())
        }
        Command::Migrate => {
            let conn = db::connect(&settings).await?;
            db::migrate(&conn).await?;
            println!("migrations applied to {}", db::backend_name(&conn));
            Ok(())
        }
        Command::Import { path, mailbox } => {
            let ctx = cli_mail::context(settings).await?;
            let summary = cli_mail::import(&ctx, &path, mailbox, Source::Import, false).await?;
            println!("{summary}");
            if summary.failed > 0 {
                anyhow::bail!(
                    "{} mail(s) failed (listed above); journaled ones are kept as dead letters: maildesk mail replay --all-failed",
                    summary.failed
                );
            }
            Ok(())
        }
        Command::Demo => {
            let ctx = cli_mail::context(settings).await?;
            let summary = cli_mail::demo(&ctx).await?;
            println!("demo mail imported: {summary}");
            Ok(())
        }
        Command::Bench { command } => run_bench(command, settings).await,
        Command::Mail { command } => run_mail(command, settings).await,
        Command::User { command } => run_user(command, &settings).await,
    }
}

/// `maildesk bench …`: runs one benchmark.
async fn run_bench(command: BenchCommand, settings: Settings) -> anyhow::Result<()> {
    match command {
        BenchCommand::Search {
            engines,
            tickets,
            articles,
            queries,
        } => crate::bench::search::run(&engines, &settings.search, tickets, articles, queries).await,
        BenchCommand::Pathological { runs, only } => crate::bench::pathological::run(runs, only.as_deref()),
        BenchCommand::Receiver { count, connections } => {
            let ctx = cli_mail::context(settings).await?;
            crate::bench::receiver::run(ctx, count, connections).await
        }
        BenchCommand::Screening {
            count,
            concurrency,
            dns,
            unbound_control,
            unbound_conf,
            clamd,
        } => {
            let rigs = crate::bench::screening::Rigs {
                dns,
                unbound_control,
                unbound_conf,
                clamd,
            };
            crate::bench::screening::run(settings, rigs, count, concurrency).await
        }
        BenchCommand::Ingest { count, concurrency } => {
            let ctx = cli_mail::context(settings).await?;
            crate::bench::ingest::run(ctx, count, concurrency).await
        }
        BenchCommand::Imap {
            host,
            port,
            user,
            password,
            count,
        } => {
            // The benchmark's IMAP server is on loopback by design (`run` refuses any other).
            let mut settings = settings;
            settings.security.allow_private_networks = true;
            let ctx = cli_mail::context(settings).await?;
            let target = crate::bench::imap_latency::ImapTarget {
                host,
                port,
                user,
                password,
            };
            crate::bench::imap_latency::run(ctx, target, count).await
        }
    }
}

/// `maildesk mail …`: parses, checks or replays mail.
async fn run_mail(command: MailCommand, settings: Settings) -> anyhow::Result<()> {
    match command {
        MailCommand::Parse { file } => {
            let authenticator = crate::mail::inbound::screen::auth::Authenticator::from_settings(&settings)?;
            println!("{}", cli_mail::parse_file(&file, authenticator.as_ref()).await?);
            Ok(())
        }
        MailCommand::GraphCheck { mailbox, send_to } => {
            let ctx = cli_mail::context(settings).await?;
            if !crate::mail::graph::check::run(&ctx, mailbox, send_to.as_deref()).await? {
                anyhow::bail!("the Graph check failed (see above)");
            }
            Ok(())
        }
        MailCommand::Replay { id, all_failed } => {
            if id.is_none() && !all_failed {
                anyhow::bail!("give a mail id or --all-failed");
            }
            let ctx = cli_mail::context(settings).await?;
            let (ok, failed) = cli_mail::replay(&ctx, id).await?;
            println!("replayed {ok} · still failing {failed}");
            if failed > 0 {
                anyhow::bail!("{failed} mail(s) still fail");
            }
            Ok(())
        }
    }
}

/// `maildesk user …`: creates an account from the command line.
async fn run_user(command: UserCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        UserCommand::Create {
            email,
            name,
            role,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let conn = db::connect(settings).await?;
            db::migrate(&conn).await?;
            let req = CreateUser {
                email,
                name,
                role: role.into(),
                password: Some(password),
                company_id: None,
            };
            let user = crate::directory::users::create(&conn, &req)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created {} {} (id {})", user.role.as_str(), user.email, user.id);
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let url = app.context().settings().http.public_url.clone();
    println!("Maildesk is running at {url}/");
    if let Some(notice) = crate::http::spa::AppFiles::from_settings(&app.context().settings().http).notice() {
        println!("{notice}");
    }
    if let Some(admin) = app.first_admin() {
        match &admin.generated_password {
            Some(pw) => println!(
                "First start: sign in as {} with the one-time password {pw}\n(it is shown only now; replace it under Password once signed in, and create your own accounts under Admin)",
                admin.email
            ),
            None => println!(
                "First start: sign in as {} with the configured admin password",
                admin.email
            ),
        }
    }
    // Mailboxes are fetched by `serve` only (not by every Application, e.g. in tests), each by
    // one node at a time under its lease.
    let _imap = crate::mail::imap::spawn_supervisor(app.context().clone());
    // The built-in SMTP/LMTP receiver, when configured (every node may listen: each delivery
    // is journaled once, whichever node takes it).
    let _receiver = crate::mail::receiver::start(app.context().clone()).await?;
    if let Some(r) = &_receiver {
        for (kind, addr) in [("SMTP", r.smtp), ("LMTP", r.lmtp)] {
            if let Some(addr) = addr {
                println!("Receiving mail over {kind} on {addr}");
            }
        }
    }
    app.run_until_stopped().await.context("running the HTTP server")
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let password = if from_stdin {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading the password from standard input")?;
        s.trim_end_matches(['\r', '\n']).to_owned()
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ").context("reading the password")?
    } else {
        anyhow::bail!("no terminal to prompt for a password: pass --password-stdin and pipe it in");
    };
    if password.is_empty() {
        anyhow::bail!("the password is empty");
    }
    Ok(password)
}
