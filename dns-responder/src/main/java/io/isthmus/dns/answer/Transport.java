package io.isthmus.dns.answer;

/** How the query came, which decides how large the response may be. */
public enum Transport {
    /** 512 bytes, or the EDNS0 payload size the client advertised (capped by ours); TC when larger. */
    UDP,
    /** Up to 65535 bytes (the length prefix is the caller's business). */
    TCP
}
