package dev.rxpath.agent.path;

/**
 * An intrusive doubly-linked list of paths, oldest first: O(1) append, removal and
 * move-to-back without a node allocation per path. A path is on at most one queue.
 */
final class PathQueue {
    private OpenPath head, tail;
    private int size;

    OpenPath head() {
        return head;
    }

    int size() {
        return size;
    }

    void add(OpenPath p) {
        p.owner = this;
        p.prev = tail;
        p.next = null;
        if (tail == null) head = p;
        else tail.next = p;
        tail = p;
        size++;
    }

    void remove(OpenPath p) {
        if (p.owner != this) return;
        if (p.prev == null) head = p.next;
        else p.prev.next = p.next;
        if (p.next == null) tail = p.prev;
        else p.next.prev = p.prev;
        p.prev = p.next = null;
        p.owner = null;
        size--;
    }

    void moveToBack(OpenPath p) {
        if (p.owner != this || p == tail) return;
        remove(p);
        add(p);
    }

    Iterable<OpenPath> paths() {
        return () -> new java.util.Iterator<>() {
            private OpenPath at = head;

            @Override
            public boolean hasNext() {
                return at != null;
            }

            @Override
            public OpenPath next() {
                OpenPath p = at;
                at = at.next;
                return p;
            }
        };
    }
}
