//! Fetch and push over SSH (private sshd + git-shell on loopback).
