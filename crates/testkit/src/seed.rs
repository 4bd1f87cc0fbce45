//! What the seed-scenario tests share: the Git server's credentials, the
//! image CI pushes, and the tools the scenario needs.

/// User of the Git HTTP server the seed tests start.
pub const GIT_USER: &str = "git";
/// Its password.
pub const GIT_PASSWORD: &str = "secret";
/// The image whose `main-<sha7>-<n>` tags the scenario pushes.
pub const IMAGE: &str = "weaveworksdemos/front-end";

/// Whether the Git server and the registry can run here (prints what is
/// missing otherwise, see [`crate::require_commands`]).
pub fn have_tools() -> bool {
    crate::require_commands(&["nginx", "fcgiwrap", "curl", "git", "jq", "docker-registry"])
}

/// Pushes `n` CI tags of [`IMAGE`] to `registry`.
pub fn push_tags(registry: &str, n: usize) {
    crate::push_tags(registry, IMAGE, n);
}
