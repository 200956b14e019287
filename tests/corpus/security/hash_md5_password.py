# expect: PS315@6
import hashlib


def store_password(db, user, password):
    digest = hashlib.md5(password.encode()).hexdigest()
    db.execute("UPDATE users SET pw = ? WHERE name = ?", (digest, user))
