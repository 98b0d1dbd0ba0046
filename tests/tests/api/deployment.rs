//! The scaled-out deployment, `docker-compose.yml`, checked without a Docker engine: the file is
//! parsed (merge keys resolved, variables interpolated as compose would) and every service and
//! variable the server needs must be wired — PostgreSQL, Redis and Meilisearch reached by their
//! service names, two or more Maildesk nodes behind the proxy on the port they bind, shared
//! secrets and data, health checks everywhere — and every `MAILDESK__…` variable must be a
//! setting the server's own loader accepts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use maildesk::Settings;
use maildesk_tests::workspace_root;
use reqwest::Url;
use serde_yaml::{Mapping, Value};

/// Variables a node may set besides `MAILDESK__…`: what the server (or its libraries) reads.
const KNOWN_PLAIN_VARIABLES: &[&str] = &["DATABASE_URL", "REDIS_URL", "MEILI_URL", "MEILI_MASTER_KEY", "RUST_LOG"];

fn compose_path() -> PathBuf {
    workspace_root().join("docker-compose.yml")
}

/// The compose file with its `<<: *anchor` merge keys resolved.
fn compose() -> Value {
    let path = compose_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut doc: Value =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
    doc.apply_merge()
        .unwrap_or_else(|e| panic!("the merge keys (`<<:`) of {} do not resolve: {e}", path.display()));
    doc
}

/// Compose's interpolation with none of the variables set: `${VAR:-default}` / `${VAR-default}`
/// give the default, `${VAR:?message}` / `${VAR?message}` a stand-in (compose itself refuses to
/// start until it is set), `$$` is a literal `$`. A variable with neither is an error: compose
/// would quietly put an empty string there.
fn interpolate(value: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let Some(braced) = after.strip_prefix('{') else {
            return Err(format!(
                "`{value}` uses an unbraced `$VAR`: write `${{VAR:-default}}` or `${{VAR:?message}}`"
            ));
        };
        let end = braced
            .find('}')
            .ok_or_else(|| format!("`{value}` has an unclosed `${{`"))?;
        let body = &braced[..end];
        rest = &braced[end + 1..];
        let name_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let (name, op) = body.split_at(name_len);
        if let Some(default) = op.strip_prefix(":-").or_else(|| op.strip_prefix('-')) {
            out.push_str(default);
        } else if op.starts_with(":?") || op.starts_with('?') {
            out.push_str(&format!("stand-in-for-{name}"));
        } else {
            return Err(format!(
                "`${{{body}}}` in `{value}` has neither a default (`:-`) nor a required marker (`:?`): \
                 unset, compose would use an empty string"
            ));
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn interpolated(value: &str, what: &str) -> String {
    interpolate(value).unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The compose file's services, by name.
struct Deployment {
    doc: Value,
}

impl Deployment {
    fn load() -> Self {
        let doc = compose();
        assert!(
            doc.get("services").and_then(Value::as_mapping).is_some(),
            "docker-compose.yml has no `services` mapping"
        );
        Self { doc }
    }

    fn services(&self) -> &Mapping {
        self.doc
            .get("services")
            .and_then(Value::as_mapping)
            .unwrap_or_else(|| unreachable!())
    }

    fn service(&self, name: &str) -> &Value {
        self.services()
            .get(name)
            .unwrap_or_else(|| panic!("docker-compose.yml has no service `{name}`"))
    }

    fn names(&self) -> Vec<String> {
        self.services()
            .keys()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect()
    }

    /// Services whose image is `name` (any registry, any tag).
    fn by_image(&self, name: &str) -> Vec<String> {
        self.names()
            .into_iter()
            .filter(|s| image_name(self.service(s)).as_deref() == Some(name))
            .collect()
    }

    /// The one service running `image`, or a failure saying what is missing or doubled.
    fn single(&self, image: &str, what: &str) -> String {
        let found = self.by_image(image);
        assert_eq!(
            found.len(),
            1,
            "docker-compose.yml needs exactly one {what} service (image `{image}`), found {found:?}"
        );
        found.into_iter().next().unwrap_or_default()
    }

    /// The Maildesk nodes: services built from the workspace's Dockerfile.
    fn nodes(&self) -> Vec<String> {
        self.names()
            .into_iter()
            .filter(|s| builds_maildesk(self.service(s)))
            .collect()
    }

    fn declared_volumes(&self) -> BTreeSet<String> {
        self.doc
            .get("volumes")
            .and_then(Value::as_mapping)
            .map(|m| m.keys().filter_map(|k| k.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// The named volume (declared under top-level `volumes`) mounted at `target`, if any.
    fn named_volume_at(&self, service: &str, target: &str) -> Option<String> {
        let declared = self.declared_volumes();
        mounts(self.service(service))
            .into_iter()
            .find(|(_, t)| t.trim_end_matches('/') == target.trim_end_matches('/'))
            .map(|(source, _)| source)
            .filter(|source| declared.contains(source))
    }
}

fn image_name(service: &Value) -> Option<String> {
    let image = service.get("image")?.as_str()?;
    let without_tag = image.split('@').next().unwrap_or(image);
    let last = without_tag.rsplit('/').next().unwrap_or(without_tag);
    Some(last.split(':').next().unwrap_or(last).to_owned())
}

fn builds_maildesk(service: &Value) -> bool {
    let is_root = |s: &str| matches!(s, "." | "./");
    match service.get("build") {
        Some(Value::String(context)) => is_root(context),
        Some(build @ Value::Mapping(_)) => {
            build.get("context").and_then(Value::as_str).is_some_and(is_root)
                && build
                    .get("dockerfile")
                    .and_then(Value::as_str)
                    .is_none_or(|d| d == "Dockerfile")
        }
        _ => false,
    }
}

/// A service's `environment`, raw (before interpolation), from either the mapping or the
/// `KEY=value` list form.
fn environment(service: &Value, name: &str) -> BTreeMap<String, String> {
    match service.get("environment") {
        None => BTreeMap::new(),
        Some(Value::Mapping(m)) => m
            .iter()
            .map(|(k, v)| {
                let key = k
                    .as_str()
                    .unwrap_or_else(|| panic!("service `{name}`: an environment key is not a string"));
                let value = if v.is_null() {
                    String::new()
                } else {
                    scalar(v).unwrap_or_else(|| panic!("service `{name}`: environment `{key}` is not a scalar"))
                };
                (key.to_owned(), value)
            })
            .collect(),
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|item| {
                let entry = item
                    .as_str()
                    .unwrap_or_else(|| panic!("service `{name}`: an environment entry is not a string"));
                let (k, v) = entry.split_once('=').unwrap_or((entry, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        Some(other) => panic!("service `{name}`: `environment` is neither a mapping nor a list: {other:?}"),
    }
}

/// `(source, target)` of every mount, short (`src:dst[:mode]`) or long (`{source, target}`) form.
fn mounts(service: &Value) -> Vec<(String, String)> {
    let Some(list) = service.get("volumes").and_then(Value::as_sequence) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|m| match m {
            Value::String(s) => {
                let mut parts = s.split(':');
                let source = parts.next()?;
                let target = parts.next()?;
                Some((source.to_owned(), target.to_owned()))
            }
            Value::Mapping(_) => Some((
                m.get("source")?.as_str()?.to_owned(),
                m.get("target")?.as_str()?.to_owned(),
            )),
            _ => None,
        })
        .collect()
}

/// `(published, container)` ports; only published ones are kept.
fn published_ports(service: &Value) -> Vec<(u16, u16)> {
    let Some(list) = service.get("ports").and_then(Value::as_sequence) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|p| match p {
            Value::Mapping(_) => {
                let target = scalar(p.get("target")?)?.parse().ok()?;
                let published = scalar(p.get("published")?)?.parse().ok()?;
                Some((published, target))
            }
            other => {
                let spec = scalar(other)?;
                let spec = spec.split('/').next().unwrap_or(&spec);
                let parts: Vec<&str> = spec.rsplitn(3, ':').collect();
                let container = parts.first()?.parse().ok()?;
                let published = parts.get(1)?.parse().ok()?;
                Some((published, container))
            }
        })
        .collect()
}

/// A service's `command` as words (string or list form).
fn command_words(service: &Value) -> Vec<String> {
    match service.get("command") {
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        Some(Value::Sequence(items)) => items.iter().filter_map(scalar).collect(),
        _ => Vec::new(),
    }
}

/// The values following every occurrence of `flag` (`--flag value` or `--flag=value`).
fn flag_values(words: &[String], flag: &str) -> Vec<String> {
    let mut values = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if word == flag {
            values.extend(words.get(i + 1).cloned());
        } else if let Some(v) = word.strip_prefix(&format!("{flag}=")) {
            values.push(v.to_owned());
        }
    }
    values
}

fn port_of(address: &str) -> Option<u16> {
    address.rsplit_once(':')?.1.parse().ok()
}

/// `ENV` of the Dockerfile's final stage: the defaults the compose environment builds on.
fn dockerfile_env() -> BTreeMap<String, String> {
    let path = workspace_root().join("Dockerfile");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let joined = text.replace("\\\n", " ");
    let final_stage = joined.rsplit("\nFROM ").next().unwrap_or(&joined);
    final_stage
        .lines()
        .filter_map(|line| line.trim().strip_prefix("ENV "))
        .flat_map(|pairs| {
            pairs.split_whitespace().filter_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                Some((k.to_owned(), v.trim_matches('"').to_owned()))
            })
        })
        .collect()
}

/// Secrets: the deployment must not start without them, so none may have a default here.
const SECRETS: &[&str] = &[
    "MAILDESK__AUTH__JWT_SECRET",
    "MAILDESK__ADMIN__PASSWORD",
    "MEILI_MASTER_KEY",
];

/// `raw` is exactly one required variable, `${VAR:?message}`: a default written in this public
/// file would be a secret anyone can read.
fn assert_required(raw: &str, what: &str) {
    let whole = raw.trim();
    let single = whole.starts_with("${") && whole.ends_with('}') && whole.matches('$').count() == 1;
    let required = interpolate(whole).is_ok_and(|v| v.starts_with("stand-in-for-"));
    assert!(
        single && required,
        "{what} is `{raw}`, must be `${{VAR:?message}}` with no default: a secret written in docker-compose.yml \
         is one anyone can read"
    );
}

fn assert_healthcheck(d: &Deployment, name: &str) {
    let check = d.service(name).get("healthcheck");
    let test = check.and_then(|h| h.get("test"));
    let disabled = check.and_then(|h| h.get("disable")).and_then(Value::as_bool) == Some(true)
        || test
            .and_then(Value::as_sequence)
            .and_then(|s| s.first())
            .and_then(Value::as_str)
            == Some("NONE");
    let empty = match test {
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Sequence(s)) => s.len() < 2,
        _ => true,
    };
    assert!(
        !disabled && !empty,
        "service `{name}` has no working healthcheck (`healthcheck.test`), so nothing can wait for it \
         to be ready"
    );
}

#[test]
fn interpolation_follows_compose() {
    assert_eq!(interpolate("a ${X:-d} b").as_deref(), Ok("a d b"));
    assert_eq!(interpolate("${X-d}").as_deref(), Ok("d"));
    assert_eq!(interpolate("${X:?set X}").as_deref(), Ok("stand-in-for-X"));
    assert_eq!(interpolate("$$HOME").as_deref(), Ok("$HOME"));
    assert!(
        interpolate("${X}").is_err(),
        "a variable without default must be flagged"
    );
    assert!(interpolate("$X").is_err(), "an unbraced variable must be flagged");
}

#[test]
fn the_compose_file_wires_every_service_the_server_needs() {
    let d = Deployment::load();
    let postgres = d.single("postgres", "PostgreSQL");
    let redis = d.single("redis", "Redis");
    let meili = d.single("meilisearch", "Meilisearch");
    let proxy = d.single("caddy", "reverse proxy (Caddy)");
    let nodes = d.nodes();
    assert!(
        nodes.len() >= 2,
        "the scaled-out deployment needs at least two Maildesk nodes (services with `build: .`), found {nodes:?}"
    );

    // Every service `up` starts is waited on; one-shot jobs behind a profile (the Meilisearch
    // contract suite, `docker compose run`) are not kept running, so they need none.
    for name in d.names() {
        if d.service(&name).get("profiles").is_none() {
            assert_healthcheck(&d, &name);
        }
    }

    // Data survives a restart: on named, declared volumes.
    assert!(
        d.named_volume_at(&postgres, "/var/lib/postgresql/data").is_some(),
        "`{postgres}` keeps its data off a named volume: mount one (declared under top-level `volumes`) \
         at /var/lib/postgresql/data"
    );
    assert!(
        d.named_volume_at(&meili, "/meili_data").is_some(),
        "`{meili}` keeps its index off a named volume: mount one (declared under top-level `volumes`) at /meili_data"
    );

    let pg_env = environment(d.service(&postgres), &postgres);
    let pg = |key: &str| {
        let raw = pg_env
            .get(key)
            .unwrap_or_else(|| panic!("`{postgres}` does not set {key}"));
        interpolated(raw, &format!("`{postgres}` {key}"))
    };
    let (pg_user, pg_password, pg_db) = (pg("POSTGRES_USER"), pg("POSTGRES_PASSWORD"), pg("POSTGRES_DB"));
    let meili_env = environment(d.service(&meili), &meili);
    if let Some(raw) = meili_env.get("MEILI_MASTER_KEY") {
        assert_required(raw, &format!("`{meili}` MEILI_MASTER_KEY"));
    }

    // The proxy: published, forwarding to every node on the port that node binds.
    let proxy_service = d.service(&proxy);
    let words = command_words(proxy_service);
    let from_port = flag_values(&words, "--from")
        .first()
        .and_then(|f| port_of(f))
        .unwrap_or_else(|| panic!("`{proxy}` has no `caddy reverse-proxy --from :PORT` in its command: {words:?}"));
    assert!(
        published_ports(proxy_service)
            .iter()
            .any(|&(_, container)| container == from_port),
        "`{proxy}` listens on {from_port} but does not publish it (`ports: [\"HOST:{from_port}\"]`)"
    );
    let upstreams: BTreeSet<String> = flag_values(&words, "--to").into_iter().collect();
    let proxy_depends = proxy_service.get("depends_on");

    let mut jwt_secrets = BTreeSet::new();
    let mut data_volumes = BTreeSet::new();
    for node in &nodes {
        let service = d.service(node);
        let env = environment(service, node);
        let var = |key: &str| {
            let raw = env
                .get(key)
                .unwrap_or_else(|| panic!("Maildesk node `{node}` does not set {key}"));
            interpolated(raw, &format!("`{node}` {key}"))
        };

        for dependency in [&postgres, &redis, &meili] {
            let condition = service
                .get("depends_on")
                .and_then(|deps| deps.get(dependency.as_str()))
                .and_then(|dep| dep.get("condition"))
                .and_then(Value::as_str);
            assert_eq!(
                condition,
                Some("service_healthy"),
                "Maildesk node `{node}` must wait for `{dependency}`: `depends_on: {{ {dependency}: {{ condition: \
                 service_healthy }} }}`"
            );
        }

        let database = var("DATABASE_URL");
        let url = Url::parse(&database).unwrap_or_else(|e| panic!("`{node}` DATABASE_URL `{database}`: {e}"));
        assert!(
            matches!(url.scheme(), "postgres" | "postgresql"),
            "`{node}` DATABASE_URL `{database}` is not a PostgreSQL URL"
        );
        assert_eq!(
            url.host_str(),
            Some(postgres.as_str()),
            "`{node}` DATABASE_URL does not point at `{postgres}`"
        );
        assert!(
            url.port().is_none_or(|p| p == 5432),
            "`{node}` DATABASE_URL uses port {:?}, PostgreSQL listens on 5432",
            url.port()
        );
        assert_eq!(
            url.username(),
            pg_user,
            "`{node}` DATABASE_URL user differs from `{postgres}` POSTGRES_USER"
        );
        assert_eq!(
            url.password(),
            Some(pg_password.as_str()),
            "`{node}` DATABASE_URL password differs from `{postgres}` POSTGRES_PASSWORD"
        );
        assert_eq!(
            url.path().trim_start_matches('/'),
            pg_db,
            "`{node}` DATABASE_URL database differs from `{postgres}` POSTGRES_DB"
        );

        let redis_url = var("REDIS_URL");
        let url = Url::parse(&redis_url).unwrap_or_else(|e| panic!("`{node}` REDIS_URL `{redis_url}`: {e}"));
        assert!(
            matches!(url.scheme(), "redis" | "rediss"),
            "`{node}` REDIS_URL `{redis_url}` is not a Redis URL"
        );
        assert_eq!(
            url.host_str(),
            Some(redis.as_str()),
            "`{node}` REDIS_URL does not point at `{redis}`"
        );
        assert!(
            url.port().is_none_or(|p| p == 6379),
            "`{node}` REDIS_URL uses a port Redis does not listen on"
        );

        let meili_url = var("MEILI_URL");
        let url = Url::parse(&meili_url).unwrap_or_else(|e| panic!("`{node}` MEILI_URL `{meili_url}`: {e}"));
        assert_eq!(
            url.host_str(),
            Some(meili.as_str()),
            "`{node}` MEILI_URL does not point at `{meili}`"
        );
        assert_eq!(
            url.port(),
            Some(7700),
            "`{node}` MEILI_URL must use Meilisearch's port 7700"
        );
        assert_eq!(
            env.get("MEILI_MASTER_KEY"),
            meili_env.get("MEILI_MASTER_KEY"),
            "`{node}` MEILI_MASTER_KEY differs from `{meili}`'s, so the node could not use the index"
        );

        let bind = var("MAILDESK__HTTP__BIND");
        let (host, port) = bind
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
            .unwrap_or_else(|| panic!("`{node}` MAILDESK__HTTP__BIND `{bind}` is not HOST:PORT"));
        assert_eq!(
            host, "0.0.0.0",
            "`{node}` binds {host}, unreachable from the proxy: bind 0.0.0.0"
        );
        let upstream = format!("{node}:{port}");
        assert!(
            upstreams.contains(&upstream),
            "`{proxy}` does not forward to `{upstream}` (its `--to`s: {upstreams:?})"
        );
        assert_eq!(
            proxy_depends
                .and_then(|deps| deps.get(node.as_str()))
                .and_then(|dep| dep.get("condition"))
                .and_then(Value::as_str),
            Some("service_healthy"),
            "`{proxy}` should wait for `{node}` to be healthy (`depends_on` with `condition: service_healthy`)"
        );

        let data_dir = var("MAILDESK__DATA_DIR");
        let volume = d.named_volume_at(node, &data_dir).unwrap_or_else(|| {
            panic!(
                "`{node}` has no named volume (declared under top-level `volumes`) at MAILDESK__DATA_DIR {data_dir}: \
                 keys and attachments would be lost and not shared"
            )
        });
        data_volumes.insert(volume);

        let secret = env
            .get("MAILDESK__AUTH__JWT_SECRET")
            .unwrap_or_else(|| panic!("`{node}` sets no MAILDESK__AUTH__JWT_SECRET: each node would generate its own"));
        jwt_secrets.insert(secret.clone());
        for key in SECRETS {
            if let Some(raw) = env.get(*key) {
                assert_required(raw, &format!("`{node}` {key}"));
            }
        }
    }

    assert_eq!(
        data_volumes.len(),
        1,
        "the Maildesk nodes must share one data volume (keys, attachments), they mount {data_volumes:?}"
    );
    assert_eq!(
        jwt_secrets.len(),
        1,
        "the Maildesk nodes must share one MAILDESK__AUTH__JWT_SECRET, or a token from one is refused by another: \
         {jwt_secrets:?}"
    );
    let strays: BTreeSet<String> = upstreams
        .iter()
        .filter(|u| !nodes.iter().any(|n| u.starts_with(&format!("{n}:"))))
        .cloned()
        .collect();
    assert!(
        strays.is_empty(),
        "`{proxy}` forwards to {strays:?}, which are not Maildesk nodes"
    );
}

#[test]
fn every_maildesk_variable_is_a_setting_the_server_reads() {
    let d = Deployment::load();
    let nodes = d.nodes();
    assert!(
        !nodes.is_empty(),
        "docker-compose.yml has no Maildesk node (a service with `build: .`)"
    );
    let image_env = dockerfile_env();
    for key in image_env.keys().filter(|k| k.starts_with("MAILDESK")) {
        assert!(
            key.starts_with("MAILDESK__"),
            "the Dockerfile sets `{key}`: settings variables start MAILDESK__"
        );
    }

    for node in &nodes {
        let raw = environment(d.service(node), node);
        for key in raw.keys() {
            if key.starts_with("MAILDESK") {
                assert!(
                    key.starts_with("MAILDESK__"),
                    "`{node}` sets `{key}`, which the server ignores: settings variables start MAILDESK__"
                );
            } else {
                assert!(
                    KNOWN_PLAIN_VARIABLES.contains(&key.as_str()),
                    "`{node}` sets `{key}`, which nothing reads (known: {KNOWN_PLAIN_VARIABLES:?}; add it there if \
                     the server now reads it)"
                );
            }
        }
        // As the container sees it: the image's ENV, overridden by the compose environment.
        let mut env = image_env.clone();
        for (key, value) in &raw {
            env.insert(key.clone(), interpolated(value, &format!("`{node}` {key}")));
        }
        let pairs: Vec<(String, String)> = env.clone().into_iter().collect();

        let settings = Settings::load_from(None, &pairs)
            .unwrap_or_else(|e| panic!("Maildesk node `{node}` would not start with its environment: {e}"));
        assert_eq!(
            Some(&settings.http.bind),
            env.get("MAILDESK__HTTP__BIND"),
            "`{node}` http.bind not taken"
        );
        assert_eq!(
            Some(settings.data_dir.display().to_string()),
            env.get("MAILDESK__DATA_DIR").cloned(),
            "`{node}` data_dir not taken"
        );
        assert_eq!(
            Some(settings.database_url()),
            env.get("DATABASE_URL").cloned(),
            "`{node}` DATABASE_URL is not the database the server uses"
        );
        assert_eq!(
            settings.redis_url(),
            env.get("REDIS_URL").cloned(),
            "`{node}` REDIS_URL is not the Redis the server uses"
        );

        // The check itself can fail: a misspelled key is refused.
        let mut misspelled = pairs.clone();
        misspelled.push(("MAILDESK__HTTP__BIMD".into(), "0.0.0.0:8080".into()));
        let err = Settings::load_from(None, &misspelled)
            .err()
            .unwrap_or_else(|| panic!("the settings loader accepted MAILDESK__HTTP__BIMD: unknown keys go unnoticed"));
        assert!(
            err.to_string().contains("bimd"),
            "the error for MAILDESK__HTTP__BIMD does not name it: {err}"
        );
    }
}

/// `USER` of the Dockerfile's final stage, if any.
fn dockerfile_user() -> Option<String> {
    let path = workspace_root().join("Dockerfile");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let final_stage = text.rsplit("\nFROM ").next().unwrap_or(&text).to_owned();
    final_stage
        .lines()
        .filter_map(|line| line.trim().strip_prefix("USER "))
        .map(|u| u.trim().to_owned())
        .next_back()
}

#[test]
fn the_engines_need_passwords_and_the_nodes_do_not_run_as_root() {
    let d = Deployment::load();
    let postgres = d.single("postgres", "PostgreSQL");
    let redis = d.single("redis", "Redis");

    // PostgreSQL: its password comes from the operator, never from this public file.
    let pg_env = environment(d.service(&postgres), &postgres);
    let pg_password = pg_env
        .get("POSTGRES_PASSWORD")
        .unwrap_or_else(|| panic!("`{postgres}` sets no POSTGRES_PASSWORD"));
    assert_required(pg_password, &format!("`{postgres}` POSTGRES_PASSWORD"));

    // Redis: `requirepass`, from the operator too.
    let words = command_words(d.service(&redis));
    let requirepass = flag_values(&words, "--requirepass");
    let raw = requirepass.first().unwrap_or_else(|| {
        panic!(
            "`{redis}` runs without a password: its command needs `--requirepass ${{REDIS_PASSWORD:?…}}` ({words:?})"
        )
    });
    assert_required(raw, &format!("`{redis}` --requirepass"));
    assert_eq!(
        words.first().map(String::as_str),
        Some("redis-server"),
        "`{redis}` must start `redis-server` itself, or the image does not drop root"
    );
    let redis_password = interpolated(raw, "--requirepass");

    for node in d.nodes() {
        let env = environment(d.service(&node), &node);
        let raw = env
            .get("REDIS_URL")
            .unwrap_or_else(|| panic!("`{node}` sets no REDIS_URL"));
        let url = Url::parse(&interpolated(raw, "REDIS_URL")).unwrap_or_else(|e| panic!("`{node}` REDIS_URL: {e}"));
        assert_eq!(
            url.password(),
            Some(redis_password.as_str()),
            "`{node}` REDIS_URL does not carry `{redis}`'s password"
        );
    }

    let user =
        dockerfile_user().unwrap_or_else(|| panic!("the Dockerfile's final stage sets no USER: the nodes run as root"));
    let name = user.split(':').next().unwrap_or_default();
    assert!(
        !name.is_empty() && name != "root" && name != "0",
        "the Dockerfile runs the server as `{user}`: use an unprivileged user"
    );

    // Plain HTTP on the proxy is for a trial; the file says how to serve HTTPS.
    let text = std::fs::read_to_string(compose_path()).expect("docker-compose.yml");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with('#') && l.contains("TLS")),
        "docker-compose.yml does not say how to put TLS in front (a comment at the proxy)"
    );
}
