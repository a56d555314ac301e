#pragma version ~=0.4.3
#pragma evm-version cancun
"""
@title Ferry voucher channels
@notice One-way payment channels from an agent to a provider: a deposit on this chain pays many calls,
        each paid off-chain with an EIP-712 voucher carrying the cumulative amount; the provider redeems
        the highest one, and after the expiry the unspent rest returns to the agent.
@dev Rules, each enforced here and nowhere else:
     - channelId = keccak256(abi.encode(chainId, this, agent, provider, asset, expiry, salt)), so it is known
       before the channel exists (an agent signs vouchers and a Ferry lock names the channel in advance).
     - open() may be called by anyone on behalf of an agent and takes the deposit from the caller; opening an
       id that is already open adds to its deposit (so a front-runner cannot block an open, only fund it).
     - openFromRelease() opens (or tops up) a channel from a Ferry transfer the trusted gateway released to
       this contract: the deposit arrives from another chain. The transfer's payloadHash names the channel.
     - Vouchers are EIP-712 `Voucher(bytes32 channelId,uint256 cumulativeAmount)` in this contract's domain
       (name "Ferry Channel", version "1"), signed by the agent.
     - claim() and close() are the provider's; each pays `cumulativeAmount - paid` and never lets `paid`
       pass the deposit. claim() keeps the channel open; close() also returns `deposit - cumulativeAmount`
       to the agent and ends the channel. A voucher below what was already paid never wins.
     - Claim and close are accepted until `expiry` inclusive; refund() only after it. Close and refund are
       mutually exclusive: a channel ends exactly once, CLOSED or REFUNDED.
     Assets are bytes32 like the gateway's: zero is the chain's native coin, anything else a left-padded ERC-20.
     claim() pays only the provider, so an agent whose address refuses payment (a contract that rejects native
     coin, a blocklisted token holder) can make close() and refund() fail but never keep the provider from its
     vouchers: a provider whose close fails claims instead. Agents sign with EOA keys (no EIP-1271).
"""

from ethereum.ercs import IERC20

# ---- types -----------------------------------------------------------------------------------------------

struct Channel:
    agent: address
    provider: address
    asset: bytes32
    deposit: uint256
    paid: uint256
    expiry: uint64
    status: uint8

struct Signature:
    r: bytes32
    s: bytes32
    v: uint8

# The gateway's transfer, field for field (FerryGateway.vy); messageId = keccak256(abi.encode(transfer)).
struct Transfer:
    version: uint8
    sourceChain: uint64
    destChain: uint64
    nonce: uint64
    sender: bytes32
    receiver: bytes32
    sourceAsset: bytes32
    destAsset: bytes32
    amount: uint256
    fee: uint256
    deadline: uint64
    payloadHash: bytes32

interface Gateway:
    def status(messageId: bytes32) -> uint8: view

# ---- events ----------------------------------------------------------------------------------------------

event Opened:
    channelId: indexed(bytes32)
    agent: indexed(address)
    provider: indexed(address)
    asset: bytes32
    deposit: uint256
    expiry: uint64

event ToppedUp:
    channelId: indexed(bytes32)
    amount: uint256
    deposit: uint256

event FundedFromRelease:
    channelId: indexed(bytes32)
    messageId: indexed(bytes32)
    amount: uint256

event Claimed:
    channelId: indexed(bytes32)
    cumulativeAmount: uint256
    amount: uint256

event Closed:
    channelId: indexed(bytes32)
    cumulativeAmount: uint256
    toProvider: uint256
    toAgent: uint256

event Refunded:
    channelId: indexed(bytes32)
    agent: indexed(address)
    amount: uint256

event ReleaseReturned:
    messageId: indexed(bytes32)
    agent: indexed(address)
    amount: uint256

# ---- constants -------------------------------------------------------------------------------------------

UNSEEN: constant(uint8) = 0
OPEN: constant(uint8) = 1
CLOSED: constant(uint8) = 2
REFUNDED: constant(uint8) = 3

GATEWAY_RELEASED: constant(uint8) = 3
TRANSFER_VERSION: constant(uint8) = 1

DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
NAME_HASH: constant(bytes32) = keccak256("Ferry Channel")
VERSION_HASH: constant(bytes32) = keccak256("1")
VOUCHER_TYPEHASH: constant(bytes32) = keccak256("Voucher(bytes32 channelId,uint256 cumulativeAmount)")
# What a Ferry transfer's payloadHash must be to fund a channel: keccak256(abi.encode(OPEN_TYPEHASH, agent,
# provider, expiry, salt)); the asset and amount are the transfer's own destAsset and amount.
OPEN_TYPEHASH: constant(bytes32) = keccak256(
    "ChannelOpen(address agent,address provider,uint64 expiry,bytes32 salt)")
HALF_CURVE_ORDER: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

# ---- state -----------------------------------------------------------------------------------------------

# The Ferry gateway whose releases may fund channels (empty: openFromRelease is disabled).
gateway: public(immutable(address))
channels: public(HashMap[bytes32, Channel])
# Ferry messageIds already credited by openFromRelease.
credited: public(HashMap[bytes32, bool])


@deploy
def __init__(gateway_: address):
    """@param gateway_ The Ferry gateway on this chain whose releases may fund channels, or empty."""
    gateway = gateway_


@payable
@external
def __default__():
    """@notice Accepts native coin, as the gateway pays a release to this contract."""
    pass

# ---- opening ---------------------------------------------------------------------------------------------

@payable
@external
@nonreentrant
def open(agent: address, provider: address, asset: bytes32, amount: uint256, expiry: uint64,
         salt: bytes32) -> bytes32:
    """
    @notice Opens a channel from `agent` to `provider` with a deposit of `amount` of `asset` paid by the caller,
            or adds `amount` to it when that channel is already open.
    @dev Native coin: send exactly `amount` as value. ERC-20: approve this contract first, send no value.
    @return The channelId.
    """
    channelId: bytes32 = self._channelId(agent, provider, asset, expiry, salt)
    self._credit(channelId, agent, provider, asset, amount, expiry)
    self._pull(asset, amount, msg.value)
    return channelId


@payable
@external
@nonreentrant
def topUp(channelId: bytes32, amount: uint256):
    """@notice Adds `amount` to an open, unexpired channel's deposit, paid by the caller (anyone)."""
    c: Channel = self.channels[channelId]
    assert c.status == OPEN, "ferry: channel not open"
    assert convert(c.expiry, uint256) >= block.timestamp, "ferry: channel expired"
    assert amount > 0, "ferry: zero amount"
    c.deposit += amount
    self.channels[channelId] = c
    log ToppedUp(channelId=channelId, amount=amount, deposit=c.deposit)
    self._pull(c.asset, amount, msg.value)


@external
@nonreentrant
def openFromRelease(transfer: Transfer, agent: address, provider: address, expiry: uint64,
                    salt: bytes32) -> bytes32:
    """
    @notice Opens (or tops up) the channel a Ferry transfer released to this contract was locked for.
    @dev Anyone may call it, once per transfer. The gateway must report the transfer RELEASED, its receiver
         must be this contract, and its payloadHash must be keccak256(abi.encode(OPEN_TYPEHASH, agent,
         provider, expiry, salt)). When the channel can no longer take a deposit (it ended or expired before
         the release arrived), the amount goes to the agent on this chain instead, so nothing is stranded.
    @return The channelId (funded or not).
    """
    assert gateway != empty(address), "ferry: no gateway configured"
    assert transfer.version == TRANSFER_VERSION, "ferry: unsupported transfer version"
    assert convert(transfer.destChain, uint256) == chain.id, "ferry: transfer not for this chain"
    assert transfer.receiver == self._toBytes32(self), "ferry: transfer not paid to this contract"
    messageId: bytes32 = keccak256(abi_encode(transfer))
    assert not self.credited[messageId], "ferry: release already credited"
    assert staticcall Gateway(gateway).status(messageId) == GATEWAY_RELEASED, "ferry: transfer not released"
    assert transfer.payloadHash == keccak256(abi_encode(OPEN_TYPEHASH, agent, provider, expiry, salt)), \
        "ferry: payloadHash does not name this channel"
    self.credited[messageId] = True

    channelId: bytes32 = self._channelId(agent, provider, transfer.destAsset, expiry, salt)
    c: Channel = self.channels[channelId]
    fundable: bool = (c.status == UNSEEN or c.status == OPEN) and convert(expiry, uint256) > block.timestamp \
        and agent != empty(address) and provider != empty(address) and agent != provider \
        and transfer.amount > 0
    if fundable:
        self._credit(channelId, agent, provider, transfer.destAsset, transfer.amount, expiry)
        log FundedFromRelease(channelId=channelId, messageId=messageId, amount=transfer.amount)
    else:
        assert agent != empty(address), "ferry: zero agent"
        log ReleaseReturned(messageId=messageId, agent=agent, amount=transfer.amount)
        self._pay(transfer.destAsset, agent, transfer.amount)
    return channelId

# ---- paying ----------------------------------------------------------------------------------------------

@external
@nonreentrant
def claim(channelId: bytes32, cumulativeAmount: uint256, signature: Signature):
    """
    @notice Pays the provider `cumulativeAmount - paid` on the agent's voucher and keeps the channel open.
    @dev Only the provider; until expiry inclusive; the voucher must be above what was already paid.
    """
    c: Channel = self._redeemable(channelId, cumulativeAmount, signature)
    assert cumulativeAmount > c.paid, "ferry: voucher not above the amount already paid"
    amount: uint256 = cumulativeAmount - c.paid
    c.paid = cumulativeAmount
    self.channels[channelId] = c
    log Claimed(channelId=channelId, cumulativeAmount=cumulativeAmount, amount=amount)
    self._pay(c.asset, c.provider, amount)


@external
@nonreentrant
def close(channelId: bytes32, cumulativeAmount: uint256, signature: Signature):
    """
    @notice Ends the channel on the agent's highest voucher: pays the provider `cumulativeAmount - paid` and
            returns `deposit - cumulativeAmount` to the agent.
    @dev Only the provider; until expiry inclusive; the voucher may equal but not fall below what was paid.
    """
    c: Channel = self._redeemable(channelId, cumulativeAmount, signature)
    assert cumulativeAmount >= c.paid, "ferry: voucher below the amount already paid"
    toProvider: uint256 = cumulativeAmount - c.paid
    toAgent: uint256 = c.deposit - cumulativeAmount
    c.paid = cumulativeAmount
    c.status = CLOSED
    self.channels[channelId] = c
    log Closed(channelId=channelId, cumulativeAmount=cumulativeAmount, toProvider=toProvider, toAgent=toAgent)
    if toProvider > 0:
        self._pay(c.asset, c.provider, toProvider)
    if toAgent > 0:
        self._pay(c.asset, c.agent, toAgent)


@external
@nonreentrant
def refund(channelId: bytes32):
    """@notice After expiry, returns the unspent rest `deposit - paid` to the agent (anyone may call)."""
    c: Channel = self.channels[channelId]
    assert c.status != UNSEEN, "ferry: unknown channel"
    assert c.status != CLOSED, "ferry: channel closed"
    assert c.status != REFUNDED, "ferry: channel already refunded"
    assert block.timestamp > convert(c.expiry, uint256), "ferry: channel not expired"
    amount: uint256 = c.deposit - c.paid
    c.status = REFUNDED
    self.channels[channelId] = c
    log Refunded(channelId=channelId, agent=c.agent, amount=amount)
    if amount > 0:
        self._pay(c.asset, c.agent, amount)

# ---- views -----------------------------------------------------------------------------------------------

@view
@external
def channelId(agent: address, provider: address, asset: bytes32, expiry: uint64, salt: bytes32) -> bytes32:
    """@notice keccak256(abi.encode(chainId, this, agent, provider, asset, expiry, salt))."""
    return self._channelId(agent, provider, asset, expiry, salt)


@view
@external
def domainSeparator() -> bytes32:
    """@notice This contract's EIP-712 domain separator (name "Ferry Channel", version "1")."""
    return self._domainSeparator()


@view
@external
def voucherDigest(channelId: bytes32, cumulativeAmount: uint256) -> bytes32:
    """@notice The EIP-712 digest an agent signs for `Voucher(channelId, cumulativeAmount)`."""
    return self._voucherDigest(channelId, cumulativeAmount)


@pure
@external
def openPayloadHash(agent: address, provider: address, expiry: uint64, salt: bytes32) -> bytes32:
    """@notice The payloadHash a Ferry transfer carries to fund this channel through openFromRelease."""
    return keccak256(abi_encode(OPEN_TYPEHASH, agent, provider, expiry, salt))

# ---- internals -------------------------------------------------------------------------------------------

@internal
@view
def _channelId(agent: address, provider: address, asset: bytes32, expiry: uint64, salt: bytes32) -> bytes32:
    return keccak256(abi_encode(chain.id, self, agent, provider, asset, expiry, salt))


@internal
@view
def _domainSeparator() -> bytes32:
    return keccak256(abi_encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, chain.id, self))


@internal
@view
def _voucherDigest(channelId: bytes32, cumulativeAmount: uint256) -> bytes32:
    return keccak256(concat(b"\x19\x01", self._domainSeparator(),
                            keccak256(abi_encode(VOUCHER_TYPEHASH, channelId, cumulativeAmount))))


@internal
def _credit(channelId: bytes32, agent: address, provider: address, asset: bytes32, amount: uint256,
            expiry: uint64):
    assert amount > 0, "ferry: zero amount"
    c: Channel = self.channels[channelId]
    if c.status == UNSEEN:
        assert agent != empty(address), "ferry: zero agent"
        assert provider != empty(address), "ferry: zero provider"
        assert agent != provider, "ferry: agent is the provider"
        assert convert(expiry, uint256) > block.timestamp, "ferry: expiry in the past"
        self._toAddress(asset)  # rejects an asset that is not an EVM address before any value moves
        self.channels[channelId] = Channel(agent=agent, provider=provider, asset=asset, deposit=amount, paid=0,
                                           expiry=expiry, status=OPEN)
        log Opened(channelId=channelId, agent=agent, provider=provider, asset=asset, deposit=amount,
                   expiry=expiry)
    else:
        assert c.status == OPEN, "ferry: channel already ended"
        assert convert(c.expiry, uint256) >= block.timestamp, "ferry: channel expired"
        c.deposit += amount
        self.channels[channelId] = c
        log ToppedUp(channelId=channelId, amount=amount, deposit=c.deposit)


@internal
@view
def _redeemable(channelId: bytes32, cumulativeAmount: uint256, signature: Signature) -> Channel:
    c: Channel = self.channels[channelId]
    assert c.status != UNSEEN, "ferry: unknown channel"
    assert c.status != CLOSED, "ferry: channel closed"
    assert c.status != REFUNDED, "ferry: channel refunded"
    assert msg.sender == c.provider, "ferry: caller is not the provider"
    assert block.timestamp <= convert(c.expiry, uint256), "ferry: channel expired"
    assert cumulativeAmount <= c.deposit, "ferry: voucher exceeds the deposit"
    assert signature.v == 27 or signature.v == 28, "ferry: signature v must be 27 or 28"
    assert convert(signature.s, uint256) <= HALF_CURVE_ORDER, "ferry: signature s is not low"
    signer: address = ecrecover(self._voucherDigest(channelId, cumulativeAmount), signature.v, signature.r,
                                signature.s)
    assert signer != empty(address), "ferry: invalid signature"
    assert signer == c.agent, "ferry: voucher not signed by the agent"
    return c


@internal
def _pull(asset: bytes32, amount: uint256, sent: uint256):
    if asset == empty(bytes32):
        assert sent == amount, "ferry: value must equal amount"
    else:
        assert sent == 0, "ferry: value sent with a token deposit"
        token: address = self._toAddress(asset)
        before: uint256 = staticcall IERC20(token).balanceOf(self)
        assert extcall IERC20(token).transferFrom(msg.sender, self, amount, default_return_value=True), \
            "ferry: token transferFrom failed"
        assert staticcall IERC20(token).balanceOf(self) - before == amount, "ferry: token delivered less than amount"


@internal
@pure
def _toBytes32(a: address) -> bytes32:
    return convert(convert(convert(a, uint160), uint256), bytes32)


@internal
@pure
def _toAddress(b: bytes32) -> address:
    v: uint256 = convert(b, uint256)
    assert v < 2**160, "ferry: not an EVM address"
    return convert(convert(v, uint160), address)


@internal
def _pay(asset: bytes32, to: address, amount: uint256):
    if asset == empty(bytes32):
        ok: bool = raw_call(to, b"", value=amount, revert_on_failure=False)
        assert ok, "ferry: native transfer failed"
    else:
        assert extcall IERC20(self._toAddress(asset)).transfer(to, amount, default_return_value=True), \
            "ferry: token transfer failed"
