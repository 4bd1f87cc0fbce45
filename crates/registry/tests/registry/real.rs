use std::collections::BTreeSet;

use weir_registry::{
    Client, ClientOptions, Credentials, DockerConfig, Error, Exclusions, ImageRef, Mirrors,
};
use weir_testkit::Service;

use crate::{curl_digest, push_tags, registry_available, storage_dir};

const REPO: &str = "demo/app";
const TAGS: usize = 1500;

fn insecure_client() -> Client {
    let mut opts = ClientOptions::default();
    opts.insecure = true;
    Client::new(opts).unwrap()
}

fn image(hostport: &str) -> ImageRef {
    ImageRef::parse(&format!("{hostport}/{REPO}")).unwrap()
}

fn expected_tags() -> BTreeSet<String> {
    // push-tags.sh: main-<sha7>-<i>, sha7 = (i * 2654435761) % 2^28 in hex.
    (1..=TAGS as u64)
        .map(|i| format!("main-{:07x}-{i}", (i * 2_654_435_761) % 268_435_456))
        .collect()
}

/// One registry is filled with 1,500 tags over the API; the basic-auth and
/// token-auth registries then serve the same storage, so each flow lists the
/// same 1,500 tags.
#[tokio::test]
async fn lists_1500_tags_anonymous_basic_and_token() {
    if !registry_available() {
        return;
    }
    let storage = storage_dir();
    let data = storage.path().to_str().unwrap().to_owned();
    let open = Service::start_with_env("registry", &["none"], &[("REGISTRY_DATA", data.as_str())])
        .unwrap();
    let url = open.var("URL").unwrap().to_owned();
    push_tags(&url, REPO, TAGS, "", "");
    let client = insecure_client();
    let expected = expected_tags();

    // Anonymous.
    let repo = client
        .repository(
            &image(open.var("HOSTPORT").unwrap()),
            Credentials::Anonymous,
        )
        .unwrap();
    let tags = repo.list_tags().await.unwrap();
    assert_eq!(tags.len(), TAGS);
    assert_eq!(tags.iter().cloned().collect::<BTreeSet<_>>(), expected);
    let digest = repo.manifest_digest("main-e3779b1-1").await.unwrap();
    assert_eq!(digest, curl_digest(&url, REPO, "main-e3779b1-1"));
    assert!(digest.starts_with("sha256:") && digest.len() == 71);

    for mode in ["basic", "token"] {
        let svc = Service::start_with_env(
            "registry",
            &[mode, "robot", "robot-pass"],
            &[("REGISTRY_DATA", data.as_str())],
        )
        .unwrap();
        let img = image(svc.var("HOSTPORT").unwrap());

        let good = client
            .repository(&img, Credentials::basic("robot", "robot-pass"))
            .unwrap();
        let tags = good.list_tags().await.unwrap();
        assert_eq!(
            tags.iter().cloned().collect::<BTreeSet<_>>(),
            expected,
            "{mode}"
        );
        // The token (or basic header) obtained for the listing is reused.
        assert_eq!(
            good.manifest_digest("main-e3779b1-1").await.unwrap(),
            digest,
            "{mode}"
        );
        let e = good.manifest_digest("no-such-tag").await.unwrap_err();
        assert!(matches!(e, Error::NotFound { .. }), "{mode}: {e}");

        let bad = client
            .repository(&img, Credentials::basic("robot", "wrong-pass"))
            .unwrap();
        let e = bad.list_tags().await.unwrap_err();
        assert!(matches!(e, Error::Unauthorized { .. }), "{mode}: {e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains("refused the credentials of user \"robot\"") && msg.contains("401"),
            "{mode}: {msg}"
        );
        assert!(!msg.contains("wrong-pass") && !format!("{e:?}").contains("wrong-pass"));

        let anon = client.repository(&img, Credentials::Anonymous).unwrap();
        let e = anon.list_tags().await.unwrap_err();
        assert!(
            matches!(e, Error::AuthenticationRequired { .. }),
            "{mode}: {e:?}"
        );
    }
}

/// A mirror sends requests for a made-up host to the loopback registry, while
/// the credentials are still looked up under the made-up host.
#[tokio::test]
async fn mirror_keeps_credentials_on_the_logical_host() {
    if !registry_available() {
        return;
    }
    let svc = Service::start("registry", &["basic", "mirror-user", "mirror-pass"]).unwrap();
    let url = svc.var("URL").unwrap().to_owned();
    push_tags(&url, "team/app", 12, "mirror-user", "mirror-pass");

    let mut mirrors = Mirrors::new();
    mirrors
        .add_spec(&format!("registry.example.com={url}"), "test")
        .unwrap();
    let docker = DockerConfig::from_json(
        br#"{"auths":{"https://registry.example.com":{"username":"mirror-user","password":"mirror-pass"}}}"#,
    )
    .unwrap();
    let img = ImageRef::parse("registry.example.com/team/app").unwrap();
    let creds = docker.credentials_for(img.registry()).cloned().unwrap();

    // Plain HTTP to the mirror needs insecure.
    let strict = Client::new({
        let mut o = ClientOptions::default();
        o.mirrors = mirrors.clone();
        o
    })
    .unwrap();
    let e = strict.repository(&img, creds.clone()).unwrap_err();
    assert!(matches!(e, Error::PlainHttp { .. }), "{e}");

    let client = Client::new({
        let mut o = ClientOptions::default();
        o.mirrors = mirrors;
        o.insecure = true;
        o
    })
    .unwrap();
    let repo = client.repository(&img, creds).unwrap();
    assert_eq!(repo.base_url().as_str(), format!("{url}/"));
    let mut tags = repo.list_tags().await.unwrap();
    assert_eq!(tags.len(), 12);
    // Exclusions run after listing, before any policy.
    tags.push("sha256-abc.sig".into());
    Exclusions::flux_default().retain(&mut tags);
    assert_eq!(tags.len(), 12);
}

/// HTTPS with a self-signed certificate: refused with the system roots only,
/// accepted with the CA file added.
#[tokio::test]
async fn tls_with_an_extra_ca() {
    if !registry_available() {
        return;
    }
    let svc = Service::start_with_env("registry", &["none"], &[("TLS", "1")]).unwrap();
    let img = image(svc.var("HOSTPORT").unwrap());
    let ca = std::fs::read(svc.var("CA_FILE").unwrap()).unwrap();

    let plain = Client::new(ClientOptions::default()).unwrap();
    let e = plain
        .repository(&img, Credentials::Anonymous)
        .unwrap()
        .list_tags()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Connect { .. }), "{e:?}");

    let mut opts = ClientOptions::default();
    opts.ca_pem = Some(ca);
    let client = Client::new(opts).unwrap();
    let tags = client
        .repository(&img, Credentials::Anonymous)
        .unwrap()
        .list_tags()
        .await;
    // An empty registry: the repository is unknown (404), which proves TLS worked.
    assert!(matches!(tags, Err(Error::NotFound { .. })), "{tags:?}");
}

/// Mutual TLS (Flux `certSecretRef` with `tls.crt` + `tls.key`, flux-compat.md
/// §4.1): refused without a client certificate, accepted with one; a broken
/// key is a setup error that never echoes the key.
#[tokio::test]
async fn mutual_tls_with_a_client_certificate() {
    if !registry_available() {
        return;
    }
    let svc = Service::start_with_env("registry", &["none"], &[("MTLS", "1")]).unwrap();
    let img = image(svc.var("HOSTPORT").unwrap());
    let read = |var: &str| std::fs::read_to_string(svc.var(var).unwrap()).unwrap();

    let mut opts = ClientOptions::default();
    opts.ca_pem = Some(read("CA_FILE").into_bytes());
    let without = Client::new(opts.clone()).unwrap();
    let e = without
        .repository(&img, Credentials::Anonymous)
        .unwrap()
        .list_tags()
        .await
        .unwrap_err();
    assert!(!matches!(e, Error::NotFound { .. }), "{e:?}");

    let key = read("CLIENT_KEY");
    opts.client_identity_pem = Some(secrecy::SecretString::from(format!(
        "{}{key}",
        read("CLIENT_CERT")
    )));
    let client = Client::new(opts.clone()).unwrap();
    let tags = client
        .repository(&img, Credentials::Anonymous)
        .unwrap()
        .list_tags()
        .await;
    assert!(matches!(tags, Err(Error::NotFound { .. })), "{tags:?}");

    let secret_line = key.lines().nth(1).unwrap().to_owned();
    opts.client_identity_pem = Some(secrecy::SecretString::from(format!(
        "-----BEGIN PRIVATE KEY-----\n{secret_line}\n-----END PRIVATE KEY-----\n"
    )));
    let e = Client::new(opts).unwrap_err();
    assert!(matches!(e, Error::ClientCertificate), "{e:?}");
    assert!(!format!("{e} {e:?}").contains(&secret_line));
}
