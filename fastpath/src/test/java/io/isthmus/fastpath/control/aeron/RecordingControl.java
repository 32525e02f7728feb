package io.isthmus.fastpath.control.aeron;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.fastpath.control.PortAttachment;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link FastpathControl} that records every call in order; port calls fail for interfaces named "bad*". */
final class RecordingControl implements FastpathControl {
    record Call(String what, DesiredKind kind, String key, Object payload, long epoch) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public void beginSync(long epoch) {
        calls.add(new Call("beginSync", null, null, null, epoch));
    }

    @Override
    public void endSync(long epoch) {
        calls.add(new Call("endSync", null, null, null, epoch));
    }

    @Override
    public void upsert(DesiredKind kind, String key, Object payload) {
        calls.add(new Call("upsert", kind, key, payload, 0));
    }

    @Override
    public void delete(DesiredKind kind, String key) {
        calls.add(new Call("delete", kind, key, null, 0));
    }

    @Override
    public CompletableFuture<Void> attachPort(PortAttachment attachment) {
        calls.add(new Call("attach", null, attachment.hostIfName(), attachment, 0));
        return attachment.hostIfName().startsWith("bad")
                ? CompletableFuture.failedFuture(new IllegalStateException("no interface " + attachment.hostIfName()))
                : CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> detachPort(String hostIfName) {
        calls.add(new Call("detach", null, hostIfName, null, 0));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
    }
}
