# expect: none
import os

API_KEY = os.environ.get("PAY_API_KEY", "")
PASSWORD_FIELD = "password"
TOKEN_URL = "https://auth.example/token"
password = ""
