//! Item 5: server keys. An empty or short `jwt.secret` made every admin token forgeable (an
//! HMAC under an empty key); two nodes starting together on an empty volume could each keep a
//! different key (one read the file before the other had written it).

use std::sync::{Arc, Barrier};

use maildesk::keys::Keys;
use maildesk::{Application, Settings};
use secrecy::{ExposeSecret, SecretString};

fn settings_in(dir: &std::path::Path) -> Settings {
    let mut settings = Settings::load_from(None, &[]).expect("default settings");
    settings.data_dir = dir.to_path_buf();
    settings.http.bind = "127.0.0.1:0".into();
    settings
}

#[tokio::test]
async fn an_empty_or_short_jwt_secret_file_stops_the_server_and_names_the_file() {
    // Empty, and 10 bytes (hex): both used to be taken as the token key.
    for content in ["", "00112233445566778899"] {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("keys")).expect("keys dir");
        std::fs::write(dir.path().join("keys/jwt.secret"), content).expect("writing the key");
        let err = match Application::build(settings_in(dir.path())).await {
            Ok(_) => panic!("the server started with a {}-char jwt.secret", content.len()),
            Err(e) => format!("{e:#}"),
        };
        assert!(err.contains("jwt.secret"), "the error does not name the file: {err}");
        assert!(err.contains("at least 32 bytes"), "{err}");
    }
}

#[test]
fn nodes_starting_together_on_an_empty_volume_end_up_with_the_same_keys() {
    const NODES: usize = 12;
    // Several rounds: each a fresh, empty volume and every "node" released at once.
    for _ in 0..20 {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = Arc::new(settings_in(dir.path()));
        let start = Arc::new(Barrier::new(NODES));
        let nodes: Vec<_> = (0..NODES)
            .map(|_| {
                let (settings, start) = (settings.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    let keys = Keys::load_or_create(&settings).expect("keys");
                    (
                        keys.jwt.expose_secret().to_vec(),
                        keys.encryption.expose_secret().to_vec(),
                    )
                })
            })
            .collect();
        let keys: Vec<_> = nodes.into_iter().map(|n| n.join().expect("node thread")).collect();
        for (jwt, encryption) in &keys {
            assert_eq!(jwt.len(), 32, "a node kept a {}-byte token key", jwt.len());
            assert_eq!(encryption.len(), 32);
        }
        assert!(keys.iter().all(|k| *k == keys[0]), "the nodes disagree on their keys");
        let on_disk = Keys::load_or_create(&settings).expect("keys");
        assert_eq!(on_disk.jwt.expose_secret(), keys[0].0.as_slice());
    }
}

#[tokio::test]
async fn a_short_configured_jwt_secret_is_refused() {
    let env = [("MAILDESK__AUTH__JWT_SECRET".to_owned(), "changeme".to_owned())];
    let err = Settings::load_from(None, &env).expect_err("an 8-byte jwt_secret was accepted");
    assert!(err.to_string().contains("auth.jwt_secret"), "{err}");

    // Settings built in code skip the loader's checks; the start-up refuses it all the same.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_in(dir.path());
    settings.auth.jwt_secret = SecretString::from("changeme");
    let err = match Application::build(settings).await {
        Ok(_) => panic!("the server started with an 8-byte jwt_secret"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("auth.jwt_secret"), "{err}");

    let long = "a-configured-secret-of-32-bytes!".to_owned() + "x";
    let env = [("MAILDESK__AUTH__JWT_SECRET".to_owned(), long)];
    assert!(Settings::load_from(None, &env).is_ok());
}
