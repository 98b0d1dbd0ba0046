//! Browser tests: headless Chromium driven over WebDriver (fantoccini) against the app built
//! into the server (from `frontend/dist`, as users get it) served by a real `spawn_app` server.
//!
//! One chromedriver per test process, on a free port, started on first use. It runs under a
//! small shell that holds only a pipe from us as its stdin: when the test process ends, for
//! whatever reason, the pipe closes and the shell stops chromedriver and the browsers it started
//! (their own process group). Its output goes to a file, never to our pipes.
//!
//! Every simulated person gets a [`Browser`]: a separate WebDriver session, so a separate
//! profile (storage, session). Waits poll the page with a deadline; tests never sleep.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::{TestApp, TestUser};

/// How long a wait polls before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// The Chromium flags of every session (we run as root, hence no sandbox).
pub const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

struct Driver {
    url: String,
    log: PathBuf,
    /// The watchdog shell's stdin: dropped only when the process exits.
    _keepalive: Mutex<(Child, ChildStdin)>,
}

/// The chromedriver of this test process, started on first use.
fn driver() -> &'static Driver {
    static DRIVER: OnceLock<Driver> = OnceLock::new();
    DRIVER.get_or_init(start_driver)
}

fn start_driver() -> Driver {
    let path = chromedriver_path();
    let port = free_port();
    let log = std::env::temp_dir().join(format!("maildesk-chromedriver-{}-{port}.log", std::process::id()));
    let log_file = std::fs::File::create(&log).unwrap_or_else(|e| panic!("creating {}: {e}", log.display()));
    // `set -m`: chromedriver gets its own process group, which takes the browsers with it.
    let script = r#"set -m
"$0" --port="$1" </dev/null &
pid=$!
read -r _ || true
kill -TERM -- -"$pid" 2>/dev/null
sleep 2
kill -KILL -- -"$pid" 2>/dev/null
exit 0"#;
    let mut child = Command::new("bash")
        .args(["-c", script, &path, &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(log_file.try_clone().expect("clone log file"))
        .stderr(log_file)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {path}: {e}"));
    let stdin = child.stdin.take().expect("piped stdin");
    let url = format!("http://127.0.0.1:{port}");
    crate::poll::until_blocking(
        &format!("chromedriver to listen on port {port} (its log: {})", log.display()),
        Duration::from_secs(20),
        || {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "chromedriver exited ({status}) before listening; its log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        },
        |listening| *listening,
    );
    Driver {
        url,
        log,
        _keepalive: Mutex::new((child, stdin)),
    }
}

/// `bash scripts/chromium.sh status` (output in files: it must never hold our pipes), or fail
/// naming the command that installs Chromium. The tests are never skipped for want of it.
fn chromedriver_path() -> String {
    let script = crate::workspace_root().join("scripts/chromium.sh");
    let out = tempfile::NamedTempFile::new().expect("temp file");
    let status = Command::new("bash")
        .arg(&script)
        .arg("status")
        .stdin(Stdio::null())
        .stdout(out.reopen().expect("reopen temp file"))
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    let printed = std::fs::read_to_string(out.path()).unwrap_or_default();
    let path = printed.lines().last().unwrap_or("").trim().to_owned();
    assert!(
        status.success() && !path.is_empty(),
        "The browser tests need headless Chromium and chromedriver, which are not installed.\n\
         Install them with: bash scripts/chromium.sh (as root; it runs apt-get install chromium chromium-driver)"
    );
    path
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a free port");
    listener.local_addr().expect("local addr").port()
}

/// One person's browser (a WebDriver session) on the app at `base`.
pub struct Browser {
    client: Client,
    base: String,
    /// Who this is, for failure messages.
    pub name: String,
}

impl Browser {
    /// Opens a fresh headless Chromium session on the app at `base` (`http://127.0.0.1:port`).
    pub async fn open(base: &str, name: &str) -> Browser {
        let driver = driver();
        let mut options = json!({ "args": CHROMIUM_ARGS });
        if let Ok(binary) = std::env::var("MAILDESK_CHROMIUM") {
            options["binary"] = json!(binary);
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "opening a Chromium session: {e}\nchromedriver log ({}):\n{}",
                    driver.log.display(),
                    tail(&std::fs::read_to_string(&driver.log).unwrap_or_default(), 30)
                )
            });
        Browser {
            client,
            base: base.trim_end_matches('/').to_owned(),
            name: name.to_owned(),
        }
    }

    /// Opens a session and signs `user` in through the login form.
    pub async fn signed_in(base: &str, name: &str, user: &TestUser) -> Browser {
        let b = Browser::open(base, name).await;
        b.login(user).await;
        b
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Navigates to a path of the app (`/tickets/3`).
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("{}: opening {url}: {e}", self.name));
    }

    /// Signs in through the real form at `/login` and waits to have left it.
    pub async fn login(&self, user: &TestUser) {
        self.goto("/login").await;
        self.submit_login(user).await;
    }

    /// Fills in and submits the login form on the page shown now; waits to have left it.
    pub async fn submit_login(&self, user: &TestUser) {
        self.type_into("[data-testid=login-email]", &user.email).await;
        self.type_into("[data-testid=login-password]", &user.password).await;
        self.click("[data-testid=login-submit]").await;
        self.wait_js(
            "to leave the login page after signing in",
            "return location.pathname !== '/login' || document.querySelector('[data-testid=login-error]')?.textContent || false",
            vec![],
        )
        .await;
        if let Some(error) = self.text_if_any("[data-testid=login-error]").await {
            panic!("{}: signing in as {} failed: {error}", self.name, user.email);
        }
    }

    /// The path and query shown now.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Runs `script` (a function body: `arguments[i]`, `return …`) until it returns something
    /// truthy, and returns that; fails the test after [`DEADLINE`], describing `what`.
    pub async fn wait_js(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        self.wait_js_within(what, DEADLINE, script, args).await
    }

    pub async fn wait_js_within(&self, what: &str, within: Duration, script: &str, args: Vec<Value>) -> Value {
        // A navigation can interrupt a script; the next read runs on the new page.
        let last_error = Mutex::new(None);
        let read = || {
            let (client, args, last_error) = (&self.client, args.clone(), &last_error);
            async move {
                client.execute(script, args).await.unwrap_or_else(|e| {
                    *last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                    Value::Null
                })
            }
        };
        match crate::poll::try_until(within, read, truthy).await {
            Ok(v) => v,
            Err(_) => {
                let last_error = last_error.into_inner().unwrap_or_else(|p| p.into_inner());
                self.fail(&format!(
                    "waited {within:?} for {what}{}",
                    last_error
                        .map(|e| format!(" (last script error: {e})"))
                        .unwrap_or_default()
                ))
                .await
            }
        }
    }

    /// Waits for a visible element matching `css` and returns it.
    pub async fn wait_for(&self, css: &str) -> Element {
        self.wait_js(
            &format!("a visible {css}"),
            "const e = document.querySelector(arguments[0]); return !!e && e.getClientRects().length > 0",
            vec![json!(css)],
        )
        .await;
        self.find(css).await
    }

    /// Waits for an element matching `css` whose text contains `needle`; returns its text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let v = self
            .wait_js(
                &format!("{css} containing {needle:?}"),
                "for (const e of document.querySelectorAll(arguments[0])) {
                     if (e.textContent.includes(arguments[1])) return e.textContent;
                 }
                 return false",
                vec![json!(css), json!(needle)],
            )
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until no element matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        self.wait_js(
            &format!("{css} to go away"),
            "return document.querySelector(arguments[0]) === null",
            vec![json!(css)],
        )
        .await;
    }

    /// Waits until attribute `attr` of the first `css` element satisfies `ok`; returns its value.
    pub async fn wait_attr(&self, css: &str, attr: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let read = || self.attr(css, attr);
        match crate::poll::try_until(DEADLINE, read, |v| v.as_deref().is_some_and(&ok)).await {
            Ok(v) => v.unwrap_or_default(),
            Err(now) => {
                self.fail(&format!("waited {DEADLINE:?} for {what} ({css} [{attr}] is {now:?})"))
                    .await
            }
        }
    }

    /// The attribute `attr` of the first element matching `css`, if both exist.
    pub async fn attr(&self, css: &str, attr: &str) -> Option<String> {
        let v = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null",
                vec![json!(css), json!(attr)],
            )
            .await
            .ok()?;
        v.as_str().map(str::to_owned)
    }

    /// The text of the first element matching `css`, if there is one.
    pub async fn text_if_any(&self, css: &str) -> Option<String> {
        let v = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : null",
                vec![json!(css)],
            )
            .await
            .ok()?;
        v.as_str().map(str::to_owned)
    }

    /// The page's HTML as it is now (for asserting that something is absent).
    pub async fn html(&self) -> String {
        let v = self
            .client
            .execute("return document.documentElement.outerHTML", vec![])
            .await
            .expect("reading the page");
        v.as_str().unwrap_or_default().to_owned()
    }

    /// The first element matching `css`, which must exist now.
    pub async fn find(&self, css: &str) -> Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => self.fail(&format!("no {css}: {e}")).await,
        }
    }

    /// Waits for `css`, then clicks it. The element is scrolled to the middle of the view
    /// first: WebDriver scrolls it just into view, where the sticky header can cover it.
    pub async fn click(&self, css: &str) {
        let e = self.wait_for(css).await;
        let _ = self
            .client
            .execute(
                "document.querySelector(arguments[0])?.scrollIntoView({block: 'center'})",
                vec![json!(css)],
            )
            .await;
        if let Err(err) = e.click().await {
            self.fail(&format!("clicking {css}: {err}")).await;
        }
    }

    /// Waits for `css`, then types `text` into it (real key events, so `input` fires).
    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.wait_for(css).await;
        if let Err(err) = e.send_keys(text).await {
            self.fail(&format!("typing into {css}: {err}")).await;
        }
    }

    /// Picks `value` in a select as a person does: the value, then a bubbling `change`. Waits
    /// until the select is enabled and offers `value` (options may load later).
    pub async fn choose(&self, css: &str, value: &str) {
        self.wait_js(
            &format!("{css} enabled, offering {value:?}"),
            "const e = document.querySelector(arguments[0]);
             return !!e && !e.disabled && [...e.options].some(o => o.value === arguments[1]);",
            vec![json!(css), json!(value)],
        )
        .await;
        let set = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]);
                 e.value = arguments[1];
                 e.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![json!(css), json!(value)],
            )
            .await;
        if let Err(err) = set {
            self.fail(&format!("choosing {value:?} in {css}: {err}")).await;
        }
    }

    /// Replaces the text of an input (typing would append to what it holds), with the `input`
    /// event typing sends.
    pub async fn fill(&self, css: &str, value: &str) {
        self.wait_for(css).await;
        let set = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]);
                 e.value = arguments[1];
                 e.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![json!(css), json!(value)],
            )
            .await;
        if let Err(err) = set {
            self.fail(&format!("filling {css}: {err}")).await;
        }
    }

    /// Saves the viewport as `docs/screenshots/{name}.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = crate::workspace_root().join("docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let path = dir.join(format!("{name}.png"));
        self.save_screenshot(&path).await;
        path
    }

    async fn save_screenshot(&self, path: &std::path::Path) {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("{}: taking a screenshot: {e}", self.name));
        let mut f = std::fs::File::create(path).unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
        f.write_all(&png)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// Fails the test with `why`, where the browser was, what the page said, and a screenshot.
    async fn fail(&self, why: &str) -> ! {
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let text = self
            .client
            .execute("return document.body ? document.body.innerText : ''", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let shot = std::env::temp_dir().join(format!(
            "maildesk-browser-failure-{}.png",
            uuid::Uuid::new_v4().simple()
        ));
        let saved = match self.client.screenshot().await {
            Ok(png) => std::fs::write(&shot, png).is_ok(),
            Err(_) => false,
        };
        panic!(
            "{}: {why}\n  at {url}\n  screenshot: {}\n  page text:\n{}",
            self.name,
            if saved {
                shot.display().to_string()
            } else {
                "(none)".into()
            },
            tail(&text, 40)
        );
    }

    /// Ends the session (closes the browser).
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// A person with a real name (screenshots read better than generated ones), created through
/// the admin API and signed in over the API.
pub async fn person(app: &TestApp, role: protocol::Role, name: &str) -> TestUser {
    let local: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
        .collect();
    let email = format!(
        "{local}.{}@example.test",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let password = "password-123".to_owned();
    let req = protocol::CreateUser {
        email: email.clone(),
        name: name.to_owned(),
        role,
        password: Some(password.clone()),
        company_id: None,
    };
    let resp = app.api.post_json(&app.admin.token, "/users", &req).await;
    assert_eq!(
        resp.status(),
        201,
        "creating {name}: {}",
        resp.text().await.unwrap_or_default()
    );
    let tokens = app.api.login_ok(&email, &password).await;
    TestUser {
        id: tokens.user.id,
        email,
        password,
        token: tokens.access_token,
        role,
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
