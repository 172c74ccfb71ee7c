"""A separate process asking for the shared WeChat access token (used by test_wechat_client).

Usage: python tests/token_process.py <unix time to start at>; prints the token it got.
Settings come from the environment (DATABASE_URL, REDIS_URL, WECHAT_API_BASE, …).
"""
import sys
import time

from service.wechat import client as wechat_client
from service.app import create_app


def main() -> None:
    start_at = float(sys.argv[1])
    app = create_app()
    with app.app_context():
        time.sleep(max(0.0, start_at - time.time()))
        print(wechat_client.api().token(), flush=True)


if __name__ == "__main__":
    main()
