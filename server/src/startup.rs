//! Building and running the server. `main` and the tests start it through this same path.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context;

use crate::bootstrap::{self, FirstAdmin};
use crate::context::AppContext;
use crate::settings::Settings;
use crate::{db, http};

pub struct Application {
    port: u16,
    server: Server,
    context: AppContext,
    first_admin: Option<FirstAdmin>,
}

impl Application {
    /// Connects, migrates, creates the first admin if needed and binds `http.bind` (port 0
    /// picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.http.bind)
            .with_context(|| format!("binding http.bind = {}", settings.http.bind))?;
        Self::build_with_listener(settings, listener).await
    }

    pub async fn build_with_listener(mut settings: Settings, listener: TcpListener) -> anyhow::Result<Self> {
        let conn = db::connect(&settings).await?;
        db::migrate(&conn).await?;
        let first_admin = bootstrap::ensure_admin(&conn, &settings).await?;
        let port = listener.local_addr()?.port();
        // Links in mails need an absolute URL; fill it in once the port is known.
        settings.http.public_url = settings.public_url_for(port);
        let context = AppContext::new(settings.clone(), conn).await?;
        // Webhook secrets stored in clear by an older version are sealed before anything runs.
        let sealed = crate::rules::secrets::seal_stored(context.db(), context.keys())
            .await
            .map_err(|e| anyhow::anyhow!("sealing stored webhook secrets: {e}"))?;
        if sealed > 0 {
            tracing::info!(rows = sealed, "sealed webhook secrets stored in clear");
        }
        context.realtime().start(context.db().clone());
        context.search().start(
            context.db().clone(),
            context.realtime(),
            context.settings().search.batch_ms,
        );
        // Mail journaled but never processed (a crash in between) is picked up again.
        tokio::spawn(crate::mail::inbound::pipeline::run_pending_worker(
            context.clone(),
            Duration::from_secs(10),
        ));
        tokio::spawn(crate::mail::outbound::sender::run(
            context.clone(),
            context.outbound().transport.clone(),
        ));
        // Every node sweeps; each raw mail and closed ticket is done once (see `retention`).
        tokio::spawn(crate::retention::run(context.clone()));
        // Every node checks; the claim makes each overdue alert go out once.
        tokio::spawn(crate::sla::scheduler::run(context.clone()));
        // Rules' webhook calls, claimed with a lease so each node takes its share.
        tokio::spawn(crate::rules::webhooks::sender::run(context.clone()));
        // Mailboxes that stopped fetching are reported once per outage, whichever node sees it.
        tokio::spawn(crate::mail::watch::run(context.clone()));
        // Uploads never attached to a message do not pile up.
        tokio::spawn(crate::tickets::attachments::run_sweeper(context.clone()));
        let data = web::Data::new(context.clone());
        // One count for the whole node, not one per worker.
        let upload_slots = web::Data::new(http::upload_slots::UploadSlots::new(
            settings.limits.inbound_uploads_per_client,
        ));
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(upload_slots.clone())
                .wrap(http::browser_headers::default_headers())
                .wrap(middleware::Compress::default())
                .wrap(middleware::Logger::new("%U %s %Dms").log_target("maildesk::http"))
                .configure(|cfg| http::configure(cfg, data.settings()))
        })
        .listen(listener)?;
        if settings.http.workers > 0 {
            server = server.workers(settings.http.workers);
        }
        Ok(Self {
            port,
            server: server.run(),
            context,
            first_admin,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn context(&self) -> &AppContext {
        &self.context
    }

    pub fn first_admin(&self) -> Option<&FirstAdmin> {
        self.first_admin.as_ref()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
