package io.isthmus.fastpath.testing;

import io.isthmus.fastpath.pcap.PcapReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What golden-pcap tests compare: every frame of a pcap file, and frames as hex strings (so a
 * failed {@code assertEquals} shows which bytes differ).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class PcapFrames {
    private PcapFrames() {
    }

    /** Every frame of {@code file}, in order. */
    public static List<byte[]> readAll(Path file) throws IOException {
        final List<byte[]> frames = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(file)) {
            for (byte[] frame; (frame = reader.nextFrame()) != null; ) {
                frames.add(frame);
            }
        }
        return frames;
    }

    /** Each frame as {@link TestFrames#hex}. */
    public static List<String> hex(List<byte[]> frames) {
        return frames.stream().map(TestFrames::hex).toList();
    }
}
