# expect: PS304@27
import pickle
import socket
import struct

HOST, PORT = "0.0.0.0", 6000


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("peer closed")
        buf += chunk
    return buf


def serve():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
        srv.bind((HOST, PORT))
        srv.listen()
        while True:
            conn, addr = srv.accept()
            with conn:
                (length,) = struct.unpack("!I", recv_exact(conn, 4))
                job = pickle.loads(recv_exact(conn, length))
                print("job from", addr, job.get("name"))
                conn.sendall(b"OK")


if __name__ == "__main__":
    serve()
