//! SSH setup shared by fetch (gix runs the system `ssh`) and push (git CLI).
//!
//! Flux keeps the private key and known_hosts in a Secret; the `ssh` program
//! needs files. They are written to a private temporary directory (mode 0700,
//! files 0600) that lives as long as the [`SshSetup`], and `ssh` is told to
//! use only them, with strict host key checking and no prompts.
//!
//! A key with a passphrase (the secret's `password`, flux-compat.md §2.3) is
//! unlocked through `SSH_ASKPASS`: a private script that prints the
//! passphrase from a private file, forced with `SSH_ASKPASS_REQUIRE=force`
//! (OpenSSH ≥ 8.4). `BatchMode` would refuse the passphrase, so it is then
//! replaced by turning off every interactive authentication method.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::ExposeSecret as _;

use crate::credentials::Credentials;

/// Temporary key files plus the `ssh` command line that uses them.
#[derive(Debug)]
pub(crate) struct SshSetup {
    _dir: Option<tempfile::TempDir>,
    command: String,
}

/// Why SSH could not be prepared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SshError {
    /// Writing the temporary key files failed.
    #[error("writing temporary SSH key files")]
    TempFiles(#[source] std::io::Error),
    /// No longer returned: passphrase-protected keys are supported.
    #[error("passphrase-protected SSH identities are not supported; use a key without passphrase")]
    Passphrase,
}

impl SshSetup {
    /// Prepares the ssh command for `credentials` (identity + known_hosts
    /// written to temp files); without an identity, the system ssh defaults
    /// apply, still without prompts.
    pub(crate) fn new(
        credentials: &Credentials,
        connect_timeout: Duration,
    ) -> Result<Self, SshError> {
        let secs = connect_timeout.as_secs().max(1);
        let common =
            format!("-o ConnectTimeout={secs} -o ServerAliveInterval=15 -o ServerAliveCountMax=4");
        let Some(identity) = &credentials.identity else {
            return Ok(SshSetup {
                _dir: None,
                command: format!("ssh -o BatchMode=yes {common}"),
            });
        };
        let dir = tempfile::Builder::new()
            .prefix("weir-ssh-")
            .tempdir()
            .map_err(SshError::TempFiles)?;
        let mut command = match &credentials.password {
            None => format!("ssh -o BatchMode=yes {common}"),
            Some(passphrase) => {
                let file = dir.path().join("passphrase");
                write_private(&file, passphrase.expose_secret().as_bytes(), 0o600)
                    .map_err(SshError::TempFiles)?;
                let askpass = dir.path().join("askpass");
                let script = format!("#!/bin/sh\nexec cat {}\n", shell_quote(&file));
                write_private(&askpass, script.as_bytes(), 0o700).map_err(SshError::TempFiles)?;
                format!(
                    "SSH_ASKPASS={} SSH_ASKPASS_REQUIRE=force ssh -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o PreferredAuthentications=publickey -o NumberOfPasswordPrompts=1 {common}",
                    shell_quote(&askpass)
                )
            }
        };
        let key = dir.path().join("identity");
        let mut key_text = identity.expose_secret().to_owned();
        if !key_text.ends_with('\n') {
            key_text.push('\n');
        }
        write_private(&key, key_text.as_bytes(), 0o600).map_err(SshError::TempFiles)?;
        let known_hosts = dir.path().join("known_hosts");
        let kh = credentials.known_hosts.as_deref().unwrap_or("");
        write_private(&known_hosts, kh.as_bytes(), 0o600).map_err(SshError::TempFiles)?;
        command.push_str(&format!(
            " -F /dev/null -o IdentitiesOnly=yes -o IdentityAgent=none -o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null -o UserKnownHostsFile={} -i {}",
            shell_quote(&known_hosts),
            shell_quote(&key)
        ));
        Ok(SshSetup {
            _dir: Some(dir),
            command,
        })
    }

    /// The command for `core.sshCommand` / `GIT_SSH_COMMAND` (paths only, no secrets).
    pub(crate) fn command(&self) -> &str {
        &self.command
    }
}

fn write_private(path: &PathBuf, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Single-quotes a path for a POSIX shell.
pub(crate) fn shell_quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    #[test]
    fn writes_private_files_and_never_puts_the_key_in_the_command() {
        let creds = Credentials::ssh(
            SecretString::from("KEY-CANARY"),
            "[127.0.0.1]:22 ssh-ed25519 AAAA",
        );
        let setup = SshSetup::new(&creds, Duration::from_secs(5)).unwrap();
        assert!(!setup.command().contains("KEY-CANARY"));
        assert!(setup.command().contains("StrictHostKeyChecking=yes"));
        assert!(!format!("{setup:?}").contains("KEY-CANARY"));
        let key_path = setup
            .command()
            .rsplit("-i ")
            .next()
            .unwrap()
            .trim_matches('\'')
            .to_owned();
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        drop(setup);
        assert!(!Path::new(&key_path).exists(), "temp key removed on drop");
    }

    #[test]
    fn a_passphrase_goes_through_a_private_askpass_file() {
        let mut creds = Credentials::ssh(SecretString::from("KEY"), "kh");
        creds.password = Some(SecretString::from("PASS-CANARY"));
        let setup = SshSetup::new(&creds, Duration::from_secs(5)).unwrap();
        let cmd = setup.command();
        assert!(
            !cmd.contains("PASS-CANARY") && !cmd.contains("BatchMode"),
            "{cmd}"
        );
        assert!(cmd.contains("SSH_ASKPASS_REQUIRE=force"), "{cmd}");
        let askpass = cmd
            .strip_prefix("SSH_ASKPASS='")
            .and_then(|r| r.split('\'').next())
            .unwrap();
        let out = std::process::Command::new(askpass).output().unwrap();
        assert_eq!(out.stdout, b"PASS-CANARY");
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(askpass).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0);
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote(Path::new("/a b/c'd")), r"'/a b/c'\''d'");
    }
}
