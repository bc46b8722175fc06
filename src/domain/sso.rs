//! Single sign-on (OpenID Connect) rules without I/O: which roles a provider's group claim
//! grants, and what the provider said about the person, parsed once.

use super::Roles;

/// A role an identity provider's group may grant. Managers, deputies and skyddsombud come
/// from the org tree, never from a group: the line organisation decides who handles a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoRole {
    Coordinator,
    Finance,
    Admin,
}

impl SsoRole {
    pub fn parse(s: &str) -> Option<SsoRole> {
        match s.trim().to_ascii_lowercase().as_str() {
            "coordinator" | "safety_coordinator" => Some(SsoRole::Coordinator),
            "finance" => Some(SsoRole::Finance),
            "admin" => Some(SsoRole::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SsoRole::Coordinator => "coordinator",
            SsoRole::Finance => "finance",
            SsoRole::Admin => "admin",
        }
    }
}

/// The roles a login's group claim granted, kept with its session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SsoRoles {
    pub coordinator: bool,
    pub finance: bool,
    pub admin: bool,
}

impl SsoRoles {
    pub fn any(self) -> bool {
        self.coordinator || self.finance || self.admin
    }

    fn grant(&mut self, role: SsoRole) {
        match role {
            SsoRole::Coordinator => self.coordinator = true,
            SsoRole::Finance => self.finance = true,
            SsoRole::Admin => self.admin = true,
        }
    }

    /// As stored: the role names, comma-separated (`""` for none).
    pub fn to_text(self) -> String {
        let mut names = Vec::new();
        if self.coordinator {
            names.push(SsoRole::Coordinator.as_str());
        }
        if self.finance {
            names.push(SsoRole::Finance.as_str());
        }
        if self.admin {
            names.push(SsoRole::Admin.as_str());
        }
        names.join(",")
    }

    /// Reads what `to_text` wrote; an unknown name grants nothing.
    pub fn from_text(text: &str) -> SsoRoles {
        let mut roles = SsoRoles::default();
        for role in text.split(',').filter_map(SsoRole::parse) {
            roles.grant(role);
        }
        roles
    }

    /// Adds these roles to what the org tree, grants and flags gave.
    pub fn apply(self, roles: &mut Roles) {
        roles.safety_coordinator |= self.coordinator;
        roles.finance |= self.finance;
        roles.admin |= self.admin;
    }
}

/// The setting `oidc_group_roles`: `group=role` pairs, comma-separated. Groups are matched
/// exactly (Entra sends object ids, Keycloak group paths).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupRoles(Vec<(String, SsoRole)>);

impl GroupRoles {
    pub fn parse(text: &str) -> Result<GroupRoles, String> {
        let mut pairs = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((group, role)) = part.rsplit_once('=') else {
                return Err(format!("'{part}' is not group=role"));
            };
            let group = group.trim();
            if group.is_empty() {
                return Err(format!("'{part}' names no group"));
            }
            let role = SsoRole::parse(role).ok_or_else(|| {
                format!("'{role}' in '{part}' is not one of coordinator, finance, admin")
            })?;
            pairs.push((group.to_owned(), role));
        }
        Ok(GroupRoles(pairs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The roles the person's groups grant.
    pub fn roles_for(&self, groups: &[String]) -> SsoRoles {
        let mut roles = SsoRoles::default();
        for (group, role) in &self.0 {
            if groups.iter().any(|g| g == group) {
                roles.grant(*role);
            }
        }
        roles
    }
}

/// Why a provider's answer could not log anyone in. Each has its own page text; the reason is
/// logged, never a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoRefusal {
    /// The person declined, or the provider answered the authorization with an error.
    Denied,
    /// No pending login with this `state` in this browser: forged, replayed or too old.
    BadState,
    /// The provider refused the code (used, expired) or could not be reached.
    CodeRefused,
    /// The ID token failed verification: signature, issuer, audience, expiry or nonce.
    BadToken,
    /// The ID token has no usable e-mail in the configured claim.
    NoEmail,
    /// The address may not log in here (unknown, or not staff and no login domain).
    NotAllowed,
    /// The user is disabled in tillbud.
    Disabled,
    /// Too many logins under way at once; try again shortly.
    Busy,
    /// SSO is not configured, or the provider's metadata could not be read.
    Unavailable,
}

impl SsoRefusal {
    /// For the log line.
    pub fn reason(self) -> &'static str {
        match self {
            SsoRefusal::Denied => "denied at the provider",
            SsoRefusal::BadState => "unknown, used or expired state",
            SsoRefusal::CodeRefused => "code refused by the provider",
            SsoRefusal::BadToken => "ID token failed verification",
            SsoRefusal::NoEmail => "no e-mail in the configured claim",
            SsoRefusal::NotAllowed => "address may not log in",
            SsoRefusal::Disabled => "user disabled",
            SsoRefusal::Busy => "too many logins under way",
            SsoRefusal::Unavailable => "provider unavailable",
        }
    }
}

/// `next` if it is one of the staff pages' own paths (`/cases…`, `/ekonomi…`, `/admin…`, at
/// most three segments, a plain query): anything else could make the login an open redirect.
pub fn own_path(next: &str) -> Option<String> {
    if next.len() > 300 {
        return None;
    }
    let (path, query) = next.split_once('?').unwrap_or((next, ""));
    let mut segments = path.strip_prefix('/')?.split('/');
    let first = segments.next()?;
    if !["cases", "ekonomi", "admin"].contains(&first) {
        return None;
    }
    let rest: Vec<&str> = segments.collect();
    let word = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let query_ok = query
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_=&%.".contains(c));
    (rest.len() <= 2 && rest.iter().all(|s| word(s)) && query_ok).then(|| next.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_roles_parse_and_grant() {
        let map = GroupRoles::parse("a1=coordinator, /tillbud/ekonomi=finance,x=y=admin").unwrap();
        let roles = map.roles_for(&["/tillbud/ekonomi".into(), "x=y".into()]);
        assert_eq!(
            roles,
            SsoRoles {
                coordinator: false,
                finance: true,
                admin: true
            }
        );
        assert_eq!(roles.to_text(), "finance,admin");
        assert_eq!(SsoRoles::from_text(&roles.to_text()), roles);
        assert!(!map.roles_for(&["A1".into()]).any(), "groups match exactly");
        assert!(GroupRoles::parse("a1=manager").is_err());
        assert!(GroupRoles::parse("a1").is_err());
        assert!(GroupRoles::parse("=admin").is_err());
        assert!(GroupRoles::parse(" ").unwrap().is_empty());
    }

    #[test]
    fn only_own_paths_are_returned_to() {
        for good in [
            "/cases",
            "/cases/0193-ab",
            "/ekonomi/cases/x",
            "/cases?status=new",
        ] {
            assert_eq!(own_path(good).as_deref(), Some(good));
        }
        for bad in [
            "//evil.example/cases",
            "https://evil.example",
            "/\\evil.example",
            "/cases/../../x",
            "/login",
            "/cases?x=<script>",
            "cases",
            "",
        ] {
            assert_eq!(own_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn sso_roles_add_to_the_roles() {
        let mut roles = Roles::default();
        SsoRoles::from_text("coordinator").apply(&mut roles);
        assert!(roles.safety_coordinator && !roles.finance && !roles.admin);
    }
}
