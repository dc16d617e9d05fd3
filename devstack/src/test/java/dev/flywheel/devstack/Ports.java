package dev.flywheel.devstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Test helper: is anything accepting connections on a port of 127.0.0.1? Used to prove that stop() stops. */
final class Ports {

    private Ports() {
    }

    static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
