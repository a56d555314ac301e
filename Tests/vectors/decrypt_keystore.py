#!/usr/bin/env python3
"""Decrypts a Web3 v3 keystore with eth-account: keystore JSON on stdin, password as argv[1].

Prints the private key as 0x-hex. Exit status 1 with a message on stderr if decryption fails.
Used by the Swift tests to prove that keystores written by Ferry open in other tools.
"""
import json
import sys

from eth_account import Account

try:
    keystore = json.load(sys.stdin)
    print("0x" + bytes(Account.decrypt(keystore, sys.argv[1])).hex())
except Exception as error:  # report any failure to the Swift test, which fails with it
    print(f"decrypt_keystore.py: {type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(1)
