package io.isthmus.fastpath.pcap;

import java.io.IOException;

/** A pcap file that is not one we can read; the message names the file and what is wrong. */
public final class PcapFormatException extends IOException {
    public PcapFormatException(String message) {
        super(message);
    }
}
