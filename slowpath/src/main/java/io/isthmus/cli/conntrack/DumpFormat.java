package io.isthmus.cli.conntrack;

import io.isthmus.conntrack.reader.ConntrackRecord;

/** One connection as a line: {@code conntrack -L} style text, or a JSON object. */
public final class DumpFormat {

    private DumpFormat() {
    }

    /**
     * {@code tcp      6 431999 ESTABLISHED src=.. dst=.. sport=.. dport=.. packets=.. bytes=..
     * src=.. dst=.. sport=.. dport=.. packets=.. bytes=.. [ASSURED] zone=..}; as in conntrack -L,
     * {@code [UNREPLIED]} follows the original tuple while nothing came back. The state is
     * printed for every protocol (conntrack -L prints it for TCP only).
     */
    public static String text(ConntrackRecord r) {
        final StringBuilder line = new StringBuilder(200);
        line.append(String.format("%-8s %d %d %s ", r.protoName(), r.proto(), r.timeoutLeftS(), r.stateName()));
        line.append("src=").append(r.origSrc()).append(" dst=").append(r.origDst())
            .append(" sport=").append(r.origSport()).append(" dport=").append(r.origDport())
            .append(" packets=").append(r.origPackets()).append(" bytes=").append(r.origBytes());
        if (!r.seenReply()) {
            line.append(" [UNREPLIED]");
        }
        line.append(" src=").append(r.replySrc()).append(" dst=").append(r.replyDst())
            .append(" sport=").append(r.replySport()).append(" dport=").append(r.replyDport())
            .append(" packets=").append(r.replyPackets()).append(" bytes=").append(r.replyBytes());
        if (r.assured()) {
            line.append(" [ASSURED]");
        }
        line.append(" zone=").append(r.zone());
        if (r.serviceId() != 0) {
            line.append(" service=").append(r.serviceId());
        }
        return line.toString();
    }

    /** One JSON object; {@code packets}/{@code bytes} are both directions together. */
    public static String json(ConntrackRecord r) {
        return "{\"proto\":\"" + r.protoName() + "\""
            + ",\"proto_num\":" + r.proto()
            + ",\"state\":\"" + r.stateName() + "\""
            + ",\"src\":\"" + r.origSrc() + "\""
            + ",\"dst\":\"" + r.origDst() + "\""
            + ",\"sport\":" + r.origSport()
            + ",\"dport\":" + r.origDport()
            + ",\"reply_src\":\"" + r.replySrc() + "\""
            + ",\"reply_dst\":\"" + r.replyDst() + "\""
            + ",\"reply_sport\":" + r.replySport()
            + ",\"reply_dport\":" + r.replyDport()
            + ",\"timeout_s\":" + r.timeoutLeftS()
            + ",\"packets\":" + (r.origPackets() + r.replyPackets())
            + ",\"bytes\":" + (r.origBytes() + r.replyBytes())
            + ",\"orig_packets\":" + r.origPackets()
            + ",\"orig_bytes\":" + r.origBytes()
            + ",\"reply_packets\":" + r.replyPackets()
            + ",\"reply_bytes\":" + r.replyBytes()
            + ",\"assured\":" + r.assured()
            + ",\"seen_reply\":" + r.seenReply()
            + ",\"zone\":" + r.zone()
            + ",\"service_id\":" + r.serviceId()
            + ",\"verdict\":" + r.verdict()
            + ",\"out_port\":" + r.outPort()
            + "}";
    }
}
