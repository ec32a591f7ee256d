package dev.rxpath.agent.relay;

import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.NodeStatus;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.ServerStatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One agent behind the relay: one channel to it (gRPC reconnects it with backoff), and what the
 * relay knows of it. Its state comes from asking it for its status, and from the streams it
 * serves: a call that fails says why, and that reason is what the relay reports, once per
 * change of state (Hubble Relay's users most often could not tell why a peer was missing).
 */
final class Peer implements AutoCloseable {
    /** What the relay knows of a peer at one moment. */
    record View(String address, String name, NodeState state, String message, ServerStatusResponse status) {
        /**
         * Its entry in a relay's answer: connected under the name it gave when it answered
         * ({@code answered}), else its state and why (a connected node that did not answer is unavailable).
         */
        NodeStatus.Builder node(String answered) {
            NodeStatus.Builder n = NodeStatus.newBuilder().setName(answered != null ? answered : name).setAddress(address);
            if (answered != null) return n.setState(NodeState.NODE_STATE_CONNECTED);
            return n.setState(state == NodeState.NODE_STATE_CONNECTED ? NodeState.NODE_STATE_UNAVAILABLE : state).setMessage(message);
        }
    }

    private final String address;
    private final ManagedChannel channel;
    private final ObserverGrpc.ObserverStub stub;
    private final long timeoutMs;
    private final Consumer<Peer> onChange;
    private volatile View view;

    /** @param onChange told of every change of state (connected, unavailable, error), with the reason it came with */
    Peer(String address, ManagedChannel channel, long timeoutMs, Consumer<Peer> onChange) {
        this.address = address;
        this.channel = channel;
        this.stub = ObserverGrpc.newStub(channel);
        this.timeoutMs = timeoutMs;
        this.onChange = onChange;
        this.view = new View(address, address, NodeState.NODE_STATE_UNAVAILABLE, "not connected yet", null);
    }

    String address() {
        return address;
    }

    View view() {
        return view;
    }

    /** Its name as it gives it; its address until it has answered. */
    String name() {
        return view.name();
    }

    boolean connected() {
        return view.state() == NodeState.NODE_STATE_CONNECTED;
    }

    /** A stub whose calls must connect within the dial timeout. */
    ObserverGrpc.ObserverStub stub() {
        return stub.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** A stub for a stream that stays open. */
    ObserverGrpc.ObserverStub streamStub() {
        return stub;
    }

    /** Asks for its status (a connected node's counters, or why it is not reachable). */
    void poll() {
        stub().serverStatus(ServerStatusRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(ServerStatusResponse s) {
                update(new View(address, s.getNodeName().isEmpty() ? address : s.getNodeName(), NodeState.NODE_STATE_CONNECTED, "", s));
            }

            @Override
            public void onError(Throwable t) {
                failed(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {}
        });
    }

    /** A call to it failed: unavailable (not reachable, or gone mid-stream) or an error (it refused). */
    void failed(Status status) {
        // our own doing (a client went away), or the client's (a malformed filter): nothing about the node
        if (status.getCode() == Status.Code.CANCELLED || status.getCode() == Status.Code.INVALID_ARGUMENT) return;
        NodeState state = status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.DEADLINE_EXCEEDED
                ? NodeState.NODE_STATE_UNAVAILABLE : NodeState.NODE_STATE_ERROR;
        View v = view;
        update(new View(address, v.name(), state, reason(status), v.status()));
    }

    /** Dropped from the relay (its address left the Service's DNS): unavailable, for good. */
    void gone(String why) {
        View v = view;
        update(new View(address, v.name(), NodeState.NODE_STATE_UNAVAILABLE, why, v.status()));
    }

    /** gRPC's code and description, and the cause's message, which names the socket's or TLS's error. */
    static String reason(Status status) {
        StringBuilder b = new StringBuilder(status.getCode().toString());
        // the first line: Netty appends its channel pipeline on the next
        String description = status.getDescription() == null ? null : status.getDescription().lines().findFirst().orElse("");
        if (description != null) b.append(": ").append(description);
        Throwable cause = status.getCause();
        while (cause != null && cause.getCause() != null && cause.getMessage() == null) cause = cause.getCause();
        if (cause != null && cause.getMessage() != null && (description == null || !description.contains(cause.getMessage()))) {
            b.append(" (").append(cause.getMessage().lines().findFirst().orElse("")).append(')');
        }
        return b.toString();
    }

    private void update(View next) {
        View before;
        synchronized (this) {
            before = view;
            view = next;
        }
        // once per change of state: the first reason stands in the event; status shows the latest
        if (before.state() != next.state() || !before.name().equals(next.name())) {
            onChange.accept(this);
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
