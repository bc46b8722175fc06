//! Where a request came from: the client's address (for rate limits) and the origin it
//! addressed (for the same-origin check). Forwarded headers are believed only when the peer
//! is one of `TILLBUD_TRUSTED_PROXIES`; from anyone else they are the client's own words.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::config::{ForwardedHeader, ProxySettings};
use crate::domain::network;

fn values<'a>(req: &'a HttpRequest, name: &str) -> Vec<&'a str> {
    req.headers()
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .collect()
}

fn peer(req: &HttpRequest) -> IpAddr {
    // No peer address only happens in unit tests of handlers; count those as one client.
    req.peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip())
}

fn from_trusted_proxy(req: &HttpRequest, proxies: &ProxySettings) -> bool {
    proxies.trusted.contains(peer(req))
}

/// The client's address: the peer, or behind trusted proxies the right-most hop of the
/// forwarded header that is not a trusted proxy.
pub fn address(req: &HttpRequest, proxies: &ProxySettings) -> IpAddr {
    let peer = peer(req);
    if !proxies.trusted.contains(peer) {
        return peer;
    }
    let hops = match proxies.header {
        ForwardedHeader::XForwardedFor => network::x_forwarded_for(values(req, "x-forwarded-for")),
        ForwardedHeader::Forwarded => network::forwarded_for(&network::forwarded_elements(values(
            req,
            header::FORWARDED.as_str(),
        ))),
    };
    proxies.trusted.client(peer, &hops)
}

/// The last value of a comma-separated header: the one our own (trusted) peer added.
fn last_of(req: &HttpRequest, name: &str) -> Option<String> {
    values(req, name)
        .last()
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `scheme://host[:port]` as the client addressed this server. From an untrusted peer that
/// is the connection's own scheme and its `Host`; from a trusted proxy the scheme and host the
/// proxy says it received.
pub fn origin(req: &HttpRequest, proxies: &ProxySettings) -> Option<String> {
    let mut scheme = if req.app_config().secure() {
        "https".to_owned()
    } else {
        "http".to_owned()
    };
    let mut host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    if from_trusted_proxy(req, proxies) {
        let (proto, fwd_host) = match proxies.header {
            ForwardedHeader::XForwardedFor => (
                last_of(req, "x-forwarded-proto"),
                last_of(req, "x-forwarded-host"),
            ),
            ForwardedHeader::Forwarded => {
                let elements = network::forwarded_elements(values(req, header::FORWARDED.as_str()));
                let last = elements.last();
                let param = |name: &str| {
                    last.and_then(|pairs| pairs.iter().find(|(k, _)| k == name))
                        .map(|(_, v)| v.clone())
                };
                (param("proto"), param("host"))
            }
        };
        if let Some(proto) = proto {
            scheme = proto.to_ascii_lowercase();
        }
        if fwd_host.is_some() {
            host = fwd_host;
        }
    }
    host.map(|h| format!("{scheme}://{}", h.to_ascii_lowercase()))
}
