//! TCP_NODELAY for the database connections.
//!
//! sqlx 0.9.0 stopped setting TCP_NODELAY on its sockets (launchbadge/sqlx#4335; fixed
//! upstream, not yet released). With Nagle's algorithm on, a statement that leaves in more
//! than one write — every TLS record is at most 16 KB, and a raw mail is bigger — waits for
//! the server's delayed ACK. In `maildesk bench ingest` that was a stall or two per ingested
//! mail, which left a single ingest lane idle most of the time (figures in
//! `docs/PERFORMANCE.md`).
//!
//! Until a fixed sqlx is out, every new connection sets the option itself: its socket is
//! found among this process's descriptors by its peer port (the database's), duplicated with
//! `pidfd_getfd` (a new descriptor for the same socket, so no unsafe code), and the option set
//! on the socket both descriptors share. Another socket to that port getting it too is
//! harmless: it only turns off write coalescing.

/// Sets TCP_NODELAY on every TCP socket of this process connected to `port`; how many.
#[cfg(target_os = "linux")]
pub fn set_on_sockets_to(port: u16) -> usize {
    use rustix::net::{getpeername, sockopt};
    use rustix::process::{PidfdFlags, PidfdGetfdFlags, getpid, pidfd_getfd, pidfd_open};
    use std::net::SocketAddr;

    let Ok(me) = pidfd_open(getpid(), PidfdFlags::empty()) else {
        return 0;
    };
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return 0;
    };
    let mut set = 0;
    for fd in fds.flatten() {
        let is_socket = std::fs::read_link(fd.path()).is_ok_and(|t| t.to_string_lossy().starts_with("socket:"));
        let Some(raw) = fd
            .file_name()
            .to_str()
            .and_then(|n| n.parse().ok())
            .filter(|_| is_socket)
        else {
            continue;
        };
        // The descriptor may close meanwhile: then there is simply nothing to duplicate.
        let Ok(dup) = pidfd_getfd(&me, raw, PidfdGetfdFlags::empty()) else {
            continue;
        };
        let peer = getpeername(&dup)
            .ok()
            .flatten()
            .and_then(|a| SocketAddr::try_from(a).ok());
        if peer.is_some_and(|p| p.port() == port) && sockopt::set_tcp_nodelay(&dup, true).is_ok() {
            set += 1;
        }
    }
    set
}

#[cfg(not(target_os = "linux"))]
pub fn set_on_sockets_to(_port: u16) -> usize {
    0
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::net::{TcpListener, TcpStream};

    use super::set_on_sockets_to;

    #[test]
    fn the_socket_to_the_port_gets_nodelay_and_others_do_not() {
        let target = TcpListener::bind("127.0.0.1:0").unwrap();
        let other = TcpListener::bind("127.0.0.1:0").unwrap();
        let to_target = TcpStream::connect(target.local_addr().unwrap()).unwrap();
        let to_other = TcpStream::connect(other.local_addr().unwrap()).unwrap();
        assert!(!to_target.nodelay().unwrap());
        let n = set_on_sockets_to(target.local_addr().unwrap().port());
        assert!(n >= 1, "no socket was changed");
        assert!(to_target.nodelay().unwrap(), "the database socket still has Nagle on");
        assert!(!to_other.nodelay().unwrap(), "a socket to another port was changed");
    }
}
