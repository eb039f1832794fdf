//! Who is calling: the client's network address, for throttling.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::request::Parts;
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;

/// The client's address as a string (an IP address, or `unknown`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl ClientAddr {
    /// Resolve the address, most trusted source first:
    /// 1. `trusted_header`, when configured: a header set by our own edge (CloudFront's
    ///    `CloudFront-Viewer-Address`), which the client cannot forge;
    /// 2. API Gateway's `requestContext.http.sourceIp` on Lambda;
    /// 3. the TCP peer in the dev server.
    pub fn from_parts(parts: &Parts, trusted_header: Option<&str>) -> Self {
        if let Some(ip) = trusted_header
            .and_then(|name| parts.headers.get(name))
            .and_then(|v| v.to_str().ok())
            .and_then(parse_addr)
        {
            return Self(ip.to_string());
        }
        let lambda = match parts.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => {
                ctx.http.source_ip.as_deref().and_then(parse_addr)
            }
            _ => None,
        };
        if let Some(ip) = lambda {
            return Self(ip.to_string());
        }
        if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            return Self(peer.ip().to_string());
        }
        Self("unknown".into())
    }
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:443`, or the first of a list.
fn parse_addr(raw: &str) -> Option<IpAddr> {
    let first = raw.split(',').next()?.trim();
    if let Ok(ip) = first.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sock) = first.parse::<SocketAddr>() {
        return Some(sock.ip());
    }
    // CloudFront writes IPv6 viewer addresses as `addr:port` without brackets.
    let (ip, _port) = first.rsplit_once(':')?;
    ip.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses_with_and_without_ports() {
        assert_eq!(
            parse_addr("198.51.100.10:46532").unwrap().to_string(),
            "198.51.100.10"
        );
        assert_eq!(
            parse_addr("2001:db8::1").unwrap().to_string(),
            "2001:db8::1"
        );
        assert_eq!(
            parse_addr("2001:db8::1:443").unwrap().to_string(),
            "2001:db8::1:443"
        );
        assert_eq!(
            parse_addr("[2001:db8::1]:443").unwrap().to_string(),
            "2001:db8::1"
        );
        assert_eq!(
            parse_addr("203.0.113.9, 10.0.0.1").unwrap().to_string(),
            "203.0.113.9"
        );
        assert!(parse_addr("not an ip").is_none());
    }

    #[test]
    fn falls_back_to_the_tcp_peer() {
        let (mut parts, ()) = http::Request::new(()).into_parts();
        parts
            .extensions
            .insert(ConnectInfo("127.0.0.9:5000".parse::<SocketAddr>().unwrap()));
        assert_eq!(ClientAddr::from_parts(&parts, None).0, "127.0.0.9");
        parts.headers.insert(
            "cloudfront-viewer-address",
            "203.0.113.7:1234".parse().unwrap(),
        );
        assert_eq!(
            ClientAddr::from_parts(&parts, Some("cloudfront-viewer-address")).0,
            "203.0.113.7"
        );
    }
}
