//! Recognising Amazon ECR registry hosts.
//!
//! Private registries look like `<account>.dkr.ecr.<region>.<partition domain>`,
//! with FIPS (`dkr.ecr-fips`) and dual-stack (`dkr-ecr…on.aws`) variants; the
//! accepted partition domains are those of the pattern Flux takes from
//! amazon-ecr-credential-helper (`amazonaws.com`, `amazonaws.com.cn`,
//! `amazonaws.eu`, `sc2s.sgov.gov`, `c2s.ic.gov`, `cloud.adc-e.uk`,
//! `csp.hci.ic.gov`, `on.aws`). Unlike Flux's unanchored regex, the whole host
//! must match, so `1.dkr.ecr.r.amazonaws.com.evil.example` is not ECR.
//! `public.ecr.aws` is ECR Public.

use std::fmt;

/// Partition domains ECR registries live under.
const PARTITION_DOMAINS: &[&str] = &[
    "amazonaws.com",
    "amazonaws.com.cn",
    "amazonaws.eu",
    "sc2s.sgov.gov",
    "c2s.ic.gov",
    "cloud.adc-e.uk",
    "csp.hci.ic.gov",
    "on.aws",
];

/// The ECR Public registry host.
pub const PUBLIC_HOST: &str = "public.ecr.aws";

/// A recognised ECR host.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EcrHost {
    /// A private registry of one account in one region.
    Private(EcrRegistry),
    /// ECR Public (`public.ecr.aws`).
    Public,
}

/// A private ECR registry: `<account>.dkr.ecr.<region>.<partition domain>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EcrRegistry {
    /// The full host name (lower-case, without port).
    pub host: String,
    /// The AWS account id.
    pub account: String,
    /// The region (`eu-west-1`, `cn-north-1`, `us-gov-west-1`).
    pub region: String,
    /// The partition's domain (`amazonaws.com`, `amazonaws.com.cn`, `on.aws`, …).
    pub partition_domain: String,
    /// A FIPS endpoint (`dkr.ecr-fips`).
    pub fips: bool,
    /// A dual-stack (IPv4 + IPv6) endpoint (`dkr-ecr.<region>.on.aws`).
    pub dual_stack: bool,
}

impl fmt::Display for EcrRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.host)
    }
}

/// Recognises an ECR registry host (`host` or `host:port`; case-insensitive).
///
/// ```
/// use weir_ecr_auth::{EcrHost, parse_host};
/// let Some(EcrHost::Private(r)) = parse_host("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn") else {
///     panic!("an ECR host")
/// };
/// assert_eq!((r.account.as_str(), r.region.as_str()), ("123456789012", "cn-north-1"));
/// assert_eq!(parse_host("public.ecr.aws"), Some(EcrHost::Public));
/// assert_eq!(parse_host("ghcr.io"), None);
/// ```
pub fn parse_host(host: &str) -> Option<EcrHost> {
    let host = host.to_ascii_lowercase();
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h.to_owned(),
        _ => host,
    };
    if host == PUBLIC_HOST {
        return Some(EcrHost::Public);
    }
    let (account, rest) = host.split_once('.')?;
    if account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (dual_dash, rest) = if let Some(r) = rest.strip_prefix("dkr.ecr") {
        (false, r)
    } else {
        (true, rest.strip_prefix("dkr-ecr")?)
    };
    let (fips, rest) = match rest.strip_prefix("-fips") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.strip_prefix('.')?;
    let (region, domain) = rest.split_once('.')?;
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !region_ok || !PARTITION_DOMAINS.contains(&domain) {
        return None;
    }
    Some(EcrHost::Private(EcrRegistry {
        account: account.to_owned(),
        region: region.to_owned(),
        partition_domain: domain.to_owned(),
        fips,
        dual_stack: dual_dash || domain == "on.aws",
        host,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private(h: &str) -> EcrRegistry {
        match parse_host(h) {
            Some(EcrHost::Private(r)) => r,
            other => panic!("{h}: {other:?}"),
        }
    }

    #[test]
    fn partitions_fips_dual_stack() {
        let r = private("123456789012.dkr.ecr.us-east-1.amazonaws.com");
        assert_eq!(
            (
                r.account.as_str(),
                r.region.as_str(),
                r.partition_domain.as_str(),
                r.fips,
                r.dual_stack
            ),
            ("123456789012", "us-east-1", "amazonaws.com", false, false)
        );
        let r = private("123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn");
        assert_eq!(
            (r.region.as_str(), r.partition_domain.as_str()),
            ("cn-northwest-1", "amazonaws.com.cn")
        );
        let r = private("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com");
        assert!(r.fips && !r.dual_stack);
        assert_eq!(r.region, "us-gov-west-1");
        let r = private("123456789012.dkr-ecr.us-west-2.on.aws");
        assert!(r.dual_stack && !r.fips);
        let r = private("123456789012.dkr-ecr-fips.us-east-1.on.aws");
        assert!(r.dual_stack && r.fips);
        assert_eq!(
            private("1.dkr.ecr.eusc-de-east-1.amazonaws.eu").partition_domain,
            "amazonaws.eu"
        );
        assert_eq!(
            private("1.dkr.ecr.us-isob-east-1.sc2s.sgov.gov").region,
            "us-isob-east-1"
        );
        assert_eq!(
            private("1.dkr.ecr.us-iso-east-1.c2s.ic.gov").partition_domain,
            "c2s.ic.gov"
        );
        assert_eq!(
            private("1.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk").partition_domain,
            "cloud.adc-e.uk"
        );
        assert_eq!(
            private("1.dkr.ecr.us-isof-south-1.csp.hci.ic.gov").partition_domain,
            "csp.hci.ic.gov"
        );
        assert_eq!(
            private("123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM:443").host,
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
        );
    }

    #[test]
    fn not_ecr() {
        for h in [
            "ghcr.io",
            "docker.io",
            "ecr.aws",
            "abc.dkr.ecr.us-east-1.amazonaws.com",
            ".dkr.ecr.us-east-1.amazonaws.com",
            "123.dkr.ecr..amazonaws.com",
            "123.dkr.ecr.us-east-1.amazonaws.com.evil.example",
            "123.dkr.ecr.us-east-1.example.com",
            "123.dkr.ecrx.us-east-1.amazonaws.com",
            "123.dkr_ecr.us-east-1.amazonaws.com",
            "",
        ] {
            assert_eq!(parse_host(h), None, "{h}");
        }
        assert_eq!(parse_host("PUBLIC.ECR.AWS"), Some(EcrHost::Public));
    }
}
