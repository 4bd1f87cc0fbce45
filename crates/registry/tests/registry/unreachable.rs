use std::time::{Duration, Instant};

use weir_registry::{Client, ClientOptions, Credentials, Error, ImageRef};

fn client(timeout: Duration) -> Client {
    let mut opts = ClientOptions::default();
    opts.insecure = true;
    opts.connect_timeout = timeout;
    opts.request_timeout = timeout;
    Client::new(opts).unwrap()
}

/// Nothing listens on the port: a clear connection error, at once.
#[tokio::test]
async fn refused_connection_is_a_clear_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let img = ImageRef::parse(&format!("127.0.0.1:{port}/app")).unwrap();
    let e = client(Duration::from_secs(5))
        .repository(&img, Credentials::Anonymous)
        .unwrap()
        .list_tags()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Connect { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("cannot connect to http://127.0.0.1:{port}/v2/app/tags/list?n=1000")
    );
}

/// The server accepts the connection and never answers: the request timeout
/// ends the wait.
#[tokio::test]
async fn silent_server_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let img = ImageRef::parse(&format!("127.0.0.1:{port}/app")).unwrap();
    let started = Instant::now();
    let e = client(Duration::from_millis(500))
        .repository(&img, Credentials::Anonymous)
        .unwrap()
        .list_tags()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("no answer from http://127.0.0.1:"),
        "{e}"
    );
    // Generous bound: the point is that it ends, not how fast.
    assert!(started.elapsed() < Duration::from_secs(30));
    drop(listener);
}
