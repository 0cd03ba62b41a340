"""Verifies webhook requests with the reference `standardwebhooks` package.

Usage: verify_webhooks.py SECRET < requests.json
Input: a JSON list of {"headers": {...}, "body": "..."}.
Output: a JSON list of {"error": null} (verified) or {"error": "why not"}, in the same order.
"""
import json
import sys

from standardwebhooks.webhooks import Webhook

secret = sys.argv[1]
results = []
for request in json.load(sys.stdin):
    try:
        Webhook(secret).verify(request["body"], request["headers"])
        results.append({"error": None})
    except Exception as exc:  # the verifier raises WebhookVerificationError and friends
        results.append({"error": f"{type(exc).__name__}: {exc}"})
print(json.dumps(results))
