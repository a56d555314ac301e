#pragma version ~=0.4.3
#pragma evm-version cancun
"""
@title Ferry gateway
@notice Locks value for cross-chain transfers and releases it on k-of-n relayer attestations.
@dev One gateway per chain; the rules are those of docs/architecture.md ("Gateway rules"). A transfer is
     locked on its source gateway, released on its destination gateway with k-of-n EIP-712
     `Release(bytes32 messageId)` signatures, or, after its deadline, cancelled on the destination with k-of-n
     `Cancel(bytes32 messageId)` signatures (both in the destination gateway's domain) and then refunded on the
     source with k-of-n `Refund(bytes32 messageId)` signatures in the source gateway's own domain, which relayers
     give only once the destination's `Cancelled` event is final.
     messageId = keccak256(abi.encode(transfer)); the `Locked` event's data is exactly abi.encode(transfer).
     Assets are bytes32: zero is the chain's native coin, anything else a left-padded ERC-20 address.
     Every lane has a registered asset pair (remote chain, local asset) -> (remote asset, decimals on both
     sides), the same on both gateways. A lock takes `amount` (destination units) converted to source units,
     rounded up, plus `fee` (source units); the destination pays `amount` of the destination asset from its
     liquidity, never from the value that backs this gateway's own refundable locks.
     Checkpoints (docs/architecture.md, "Checkpoints"): instead of k-of-n signatures per transfer, `commit` takes
     k-of-n EIP-712 `Checkpoint(uint64 sourceChain,bytes32 root,uint64 firstNonce,uint64 lastNonce,uint32 count)`
     signatures once per batch and records the Merkle root (lib/merkle.vy); `releaseWithProof` and
     `releaseBatch` then release the root's transfers with Merkle proofs, under the same rules as `release`.
"""

from ethereum.ercs import IERC20
from lib import merkle

# ---- types -----------------------------------------------------------------------------------------------

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

struct Signature:
    r: bytes32
    s: bytes32
    v: uint8

struct AssetPair:
    remoteAsset: bytes32
    localDecimals: uint8
    remoteDecimals: uint8
    registered: bool

struct Checkpoint:
    sourceChain: uint64
    root: bytes32
    firstNonce: uint64
    lastNonce: uint64
    count: uint32

struct Commitment:
    sourceChain: uint64
    firstNonce: uint64
    lastNonce: uint64
    count: uint32
    committed: bool

struct Bucket:
    capacity: uint256
    refillPerSecond: uint256
    tokens: uint256
    updatedAt: uint256

# ---- events ----------------------------------------------------------------------------------------------

event Locked:
    messageId: indexed(bytes32)
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

event Released:
    messageId: indexed(bytes32)
    receiver: indexed(address)
    asset: bytes32
    amount: uint256

event Committed:
    root: indexed(bytes32)
    sourceChain: indexed(uint64)
    firstNonce: uint64
    lastNonce: uint64
    count: uint32

event Cancelled:
    messageId: indexed(bytes32)

event Refunded:
    messageId: indexed(bytes32)
    sender: indexed(address)
    asset: bytes32
    amount: uint256

event RelayersChanged:
    relayers: DynArray[address, MAX_RELAYERS]
    threshold: uint256

event LaneLimitChanged:
    remoteChain: indexed(uint64)
    asset: indexed(bytes32)
    capacity: uint256
    refillPerSecond: uint256

event AssetPairChanged:
    remoteChain: indexed(uint64)
    localAsset: indexed(bytes32)
    remoteAsset: bytes32
    localDecimals: uint8
    remoteDecimals: uint8
    registered: bool

event DestinationGatewayChanged:
    chainId: indexed(uint64)
    gateway: address

event PausedChanged:
    paused: bool

event OwnershipTransferred:
    previousOwner: indexed(address)
    newOwner: indexed(address)

# ---- constants -------------------------------------------------------------------------------------------

MAX_RELAYERS: constant(uint256) = 32
# The most leaves one checkpoint root covers, and the most transfers one releaseBatch carries.
MAX_LEAVES: constant(uint32) = 256
MAX_BATCH: constant(uint256) = 128
TRANSFER_VERSION: constant(uint8) = 1

# Transfer status, one map for both roles (a transfer's source and destination chains differ).
UNSEEN: constant(uint8) = 0
LOCKED: constant(uint8) = 1
REFUNDED: constant(uint8) = 2
RELEASED: constant(uint8) = 3
CANCELLED: constant(uint8) = 4

DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
NAME_HASH: constant(bytes32) = keccak256("Ferry")
VERSION_HASH: constant(bytes32) = keccak256("1")
RELEASE_TYPEHASH: constant(bytes32) = keccak256("Release(bytes32 messageId)")
CANCEL_TYPEHASH: constant(bytes32) = keccak256("Cancel(bytes32 messageId)")
REFUND_TYPEHASH: constant(bytes32) = keccak256("Refund(bytes32 messageId)")
CHECKPOINT_TYPEHASH: constant(bytes32) = keccak256(
    "Checkpoint(uint64 sourceChain,bytes32 root,uint64 firstNonce,uint64 lastNonce,uint32 count)")
MAX_DECIMALS: constant(uint8) = 77
# secp256k1n / 2: larger s values are the malleable twins of valid signatures.
HALF_CURVE_ORDER: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

# ---- state -----------------------------------------------------------------------------------------------

owner: public(address)
paused: public(bool)
nextNonce: public(uint64)
threshold: public(uint256)
relayers: DynArray[address, MAX_RELAYERS]
isRelayer: public(HashMap[address, bool])
status: public(HashMap[bytes32, uint8])
destinationGateway: public(HashMap[uint64, address])
buckets: HashMap[bytes32, Bucket]
# (remote chain, local asset) -> the asset it pairs with on the remote chain, and both sides' decimals.
pairs: HashMap[bytes32, AssetPair]
# What each lock here took (source units, fee included): exactly what its refund returns.
lockedValue: public(HashMap[bytes32, uint256])
# Per asset, the value of locks here not yet refunded: releases never spend it.
refundable: public(HashMap[bytes32, uint256])
# Committed checkpoint roots, and per source chain the first nonce its next checkpoint must start at.
commitments: public(HashMap[bytes32, Commitment])
nextCommitNonce: public(HashMap[uint64, uint256])


@deploy
def __init__(relayers: DynArray[address, MAX_RELAYERS], threshold: uint256):
    """
    @param relayers The attesting relayer addresses (distinct, non-zero).
    @param threshold How many distinct relayer signatures an attestation needs (1..len(relayers)).
    """
    self.owner = msg.sender
    self._setRelayers(relayers, threshold)
    log OwnershipTransferred(previousOwner=empty(address), newOwner=msg.sender)


@payable
@external
def __default__():
    """@notice Accepts native liquidity for releases."""
    pass

# ---- transfers -------------------------------------------------------------------------------------------

@payable
@external
@nonreentrant
def lock(destChain: uint64, receiver: bytes32, sourceAsset: bytes32, destAsset: bytes32, amount: uint256,
         fee: uint256, deadline: uint64, payloadHash: bytes32) -> bytes32:
    """
    @notice Locks `amount` (destination units) converted to `sourceAsset` units, rounded up, plus `fee`
            (source units) from the caller and records the transfer.
    @dev The pair (destChain, sourceAsset) -> destAsset must be registered, and the converted amount fits the
         lane's rate limit (the same bucket as releases from destChain). Native coin: send exactly the
         converted amount plus fee as value (`quoteLock` says how much). ERC-20: approve the gateway first.
    @return The transfer's messageId.
    """
    assert not self.paused, "ferry: paused"
    assert convert(destChain, uint256) != chain.id, "ferry: destination is this chain"
    assert self.destinationGateway[destChain] != empty(address), "ferry: unknown destination chain"
    assert amount > 0, "ferry: zero amount"
    assert receiver != empty(bytes32), "ferry: zero receiver"
    assert convert(deadline, uint256) > block.timestamp, "ferry: deadline in the past"
    pair: AssetPair = self.pairs[self._laneKey(destChain, sourceAsset)]
    assert pair.registered, "ferry: asset pair not registered"
    assert pair.remoteAsset == destAsset, "ferry: destination asset does not match the registered pair"
    converted: uint256 = self._toLocal(amount, pair)
    self._consume(destChain, sourceAsset, converted)
    total: uint256 = converted + fee

    t: Transfer = Transfer(
        version=TRANSFER_VERSION, sourceChain=convert(chain.id, uint64), destChain=destChain,
        nonce=self.nextNonce, sender=self._toBytes32(msg.sender), receiver=receiver,
        sourceAsset=sourceAsset, destAsset=destAsset, amount=amount, fee=fee, deadline=deadline,
        payloadHash=payloadHash)
    messageId: bytes32 = self._messageId(t)
    assert self.status[messageId] == UNSEEN, "ferry: transfer already exists"
    self.status[messageId] = LOCKED
    self.nextNonce += 1
    self.lockedValue[messageId] = total
    self.refundable[sourceAsset] += total

    if sourceAsset == empty(bytes32):
        assert msg.value == total, "ferry: value must equal the converted amount + fee"
    else:
        assert msg.value == 0, "ferry: value sent with a token lock"
        token: address = self._toAddress(sourceAsset)
        before: uint256 = staticcall IERC20(token).balanceOf(self)
        assert extcall IERC20(token).transferFrom(msg.sender, self, total, default_return_value=True), \
            "ferry: token transferFrom failed"
        assert staticcall IERC20(token).balanceOf(self) - before == total, "ferry: token delivered less than amount + fee"

    log Locked(messageId=messageId, version=t.version, sourceChain=t.sourceChain, destChain=t.destChain,
               nonce=t.nonce, sender=t.sender, receiver=t.receiver, sourceAsset=t.sourceAsset,
               destAsset=t.destAsset, amount=t.amount, fee=t.fee, deadline=t.deadline, payloadHash=t.payloadHash)
    return messageId


@external
@nonreentrant
def release(transfer: Transfer, signatures: DynArray[Signature, MAX_RELAYERS]) -> bytes32:
    """
    @notice Pays `transfer.amount` of `transfer.destAsset` to `transfer.receiver` on k-of-n Release attestations.
    @dev The pair (sourceChain, destAsset) -> sourceAsset must be registered here too; the payment may not
         touch the value backing refundable locks (`refundable`).
    @param signatures EIP-712 `Release(messageId)` signatures in this gateway's domain, ordered by
           strictly increasing signer address.
    """
    assert not self.paused, "ferry: paused"
    messageId: bytes32 = self._checkRelease(transfer)
    self._verify(self._digest(RELEASE_TYPEHASH, messageId, chain.id, self), signatures)
    self._release(transfer, messageId)
    return messageId


@external
def commit(checkpoint: Checkpoint, signatures: DynArray[Signature, MAX_RELAYERS]):
    """
    @notice Records `checkpoint.root` on k-of-n EIP-712 `Checkpoint` signatures in this gateway's domain: the
            Merkle root of the message ids of the locks on `sourceChain` to this chain with nonces
            `firstNonce..lastNonce`, in nonce order (`count` of them). Its transfers are then released with proofs.
    @dev A source's ranges are contiguous: `firstNonce` must be `nextCommitNonce(sourceChain)` (0 at first). A zero
         root, a root already committed, and a range with fewer nonces than leaves are refused.
    """
    assert not self.paused, "ferry: paused"
    assert checkpoint.root != empty(bytes32), "ferry: zero root"
    assert not self.commitments[checkpoint.root].committed, "ferry: root already committed"
    assert convert(checkpoint.sourceChain, uint256) != chain.id, "ferry: source is this chain"
    assert checkpoint.count >= 1 and checkpoint.count <= MAX_LEAVES, "ferry: checkpoint count must be 1 to 256"
    assert checkpoint.firstNonce <= checkpoint.lastNonce, "ferry: checkpoint nonce range is empty"
    assert convert(checkpoint.lastNonce - checkpoint.firstNonce, uint256) >= convert(checkpoint.count, uint256) - 1, \
        "ferry: checkpoint has more leaves than nonces"
    assert convert(checkpoint.firstNonce, uint256) == self.nextCommitNonce[checkpoint.sourceChain], \
        "ferry: checkpoint nonce range is not contiguous"
    self._verify(self._checkpointDigest(checkpoint), signatures)
    self.commitments[checkpoint.root] = Commitment(sourceChain=checkpoint.sourceChain, firstNonce=checkpoint.firstNonce,
                                                   lastNonce=checkpoint.lastNonce, count=checkpoint.count, committed=True)
    self.nextCommitNonce[checkpoint.sourceChain] = convert(checkpoint.lastNonce, uint256) + 1
    log Committed(root=checkpoint.root, sourceChain=checkpoint.sourceChain, firstNonce=checkpoint.firstNonce,
                  lastNonce=checkpoint.lastNonce, count=checkpoint.count)


@external
@nonreentrant
def releaseWithProof(transfer: Transfer, root: bytes32, proof: DynArray[bytes32, merkle.MAX_PROOF]) -> bytes32:
    """
    @notice Releases one transfer of the committed checkpoint `root`, given its Merkle proof; the same rules as
            `release` otherwise (deadline, once only, never after a cancel, asset pair, rate limit, reserve).
    """
    assert not self.paused, "ferry: paused"
    c: Commitment = self.commitments[root]
    assert c.committed, "ferry: root not committed"
    messageId: bytes32 = self._checkRelease(transfer)
    self._checkProof(transfer, messageId, root, c, proof)
    self._release(transfer, messageId)
    return messageId


@external
@nonreentrant
def releaseBatch(root: bytes32, transfers: DynArray[Transfer, MAX_BATCH],
                 proofs: DynArray[DynArray[bytes32, merkle.MAX_PROOF], MAX_BATCH]):
    """
    @notice Releases up to 128 transfers of the committed checkpoint `root`, each with its Merkle proof, in one
            transaction. All or nothing: any transfer refused (with the reason `releaseWithProof` gives) reverts the batch.
    """
    assert not self.paused, "ferry: paused"
    assert len(transfers) >= 1, "ferry: empty batch"
    assert len(transfers) == len(proofs), "ferry: one proof per transfer"
    c: Commitment = self.commitments[root]
    assert c.committed, "ferry: root not committed"
    for i: uint256 in range(MAX_BATCH):
        if i >= len(transfers):
            break
        messageId: bytes32 = self._checkRelease(transfers[i])
        self._checkProof(transfers[i], messageId, root, c, proofs[i])
        self._release(transfers[i], messageId)


@external
def cancel(transfer: Transfer, signatures: DynArray[Signature, MAX_RELAYERS]) -> bytes32:
    """
    @notice Marks an unreleased transfer cancelled after its deadline, on k-of-n Cancel attestations.
    @dev After this, release is impossible; once this is final, relayers attest `Refund` to the source.
         Works while paused: it only ends a transfer that can no longer be released.
    """
    assert transfer.version == TRANSFER_VERSION, "ferry: unsupported transfer version"
    assert convert(transfer.destChain, uint256) == chain.id, "ferry: wrong destination chain"
    messageId: bytes32 = self._messageId(transfer)
    state: uint8 = self.status[messageId]
    assert state != RELEASED, "ferry: already released"
    assert state != CANCELLED, "ferry: already cancelled"
    assert block.timestamp > convert(transfer.deadline, uint256), "ferry: deadline not reached"
    self._verify(self._digest(CANCEL_TYPEHASH, messageId, chain.id, self), signatures)
    self.status[messageId] = CANCELLED
    log Cancelled(messageId=messageId)
    return messageId


@external
@nonreentrant
def refund(transfer: Transfer, signatures: DynArray[Signature, MAX_RELAYERS]) -> bytes32:
    """
    @notice Returns what the lock took (`lockedValue`: converted amount + fee) to the sender of a transfer
            locked here and cancelled on its destination.
    @param signatures EIP-712 `Refund(messageId)` signatures in this gateway's own domain, which relayers give
           only after the destination's `Cancelled` event is final. Works while paused.
    """
    assert transfer.version == TRANSFER_VERSION, "ferry: unsupported transfer version"
    assert convert(transfer.sourceChain, uint256) == chain.id, "ferry: wrong source chain"
    messageId: bytes32 = self._messageId(transfer)
    state: uint8 = self.status[messageId]
    assert state != REFUNDED, "ferry: already refunded"
    assert state == LOCKED, "ferry: unknown transfer"
    assert block.timestamp > convert(transfer.deadline, uint256), "ferry: deadline not reached"
    self._verify(self._digest(REFUND_TYPEHASH, messageId, chain.id, self), signatures)
    self.status[messageId] = REFUNDED

    sender: address = self._toAddress(transfer.sender)
    total: uint256 = self.lockedValue[messageId]
    self.lockedValue[messageId] = 0
    self.refundable[transfer.sourceAsset] -= total
    self._pay(transfer.sourceAsset, sender, total)
    log Refunded(messageId=messageId, sender=sender, asset=transfer.sourceAsset, amount=total)
    return messageId

# ---- views -----------------------------------------------------------------------------------------------

@view
@external
def messageId(transfer: Transfer) -> bytes32:
    """@notice keccak256(abi.encode(transfer))."""
    return self._messageId(transfer)


@view
@external
def domainSeparator() -> bytes32:
    """@notice This gateway's EIP-712 domain separator."""
    return self._domainSeparator(chain.id, self)


@view
@external
def releaseDigest(messageId: bytes32) -> bytes32:
    """@notice The EIP-712 digest relayers sign to release `messageId` here."""
    return self._digest(RELEASE_TYPEHASH, messageId, chain.id, self)


@view
@external
def cancelDigest(messageId: bytes32) -> bytes32:
    """@notice The EIP-712 digest relayers sign to cancel `messageId` here."""
    return self._digest(CANCEL_TYPEHASH, messageId, chain.id, self)


@view
@external
def refundDigest(messageId: bytes32) -> bytes32:
    """@notice The EIP-712 digest relayers sign to refund `messageId` here (this gateway's own domain)."""
    return self._digest(REFUND_TYPEHASH, messageId, chain.id, self)


@view
@external
def checkpointDigest(checkpoint: Checkpoint) -> bytes32:
    """@notice The EIP-712 digest relayers sign to commit `checkpoint` here."""
    return self._checkpointDigest(checkpoint)


@pure
@external
def verifyProof(messageId: bytes32, proof: DynArray[bytes32, merkle.MAX_PROOF], root: bytes32) -> bool:
    """@notice Whether `proof` shows `messageId` is a leaf of the Merkle tree with `root`."""
    return merkle.verify(messageId, proof, root)


@view
@external
def assetPair(remoteChain: uint64, localAsset: bytes32) -> AssetPair:
    """@notice The asset `localAsset` pairs with on `remoteChain`, and both sides' decimals."""
    return self.pairs[self._laneKey(remoteChain, localAsset)]


@view
@external
def quoteLock(destChain: uint64, sourceAsset: bytes32, amount: uint256, fee: uint256) -> uint256:
    """@notice What `lock` takes for `amount` destination units plus `fee` source units (reverts without a pair)."""
    pair: AssetPair = self.pairs[self._laneKey(destChain, sourceAsset)]
    assert pair.registered, "ferry: asset pair not registered"
    return self._toLocal(amount, pair) + fee


@view
@external
def getRelayers() -> DynArray[address, MAX_RELAYERS]:
    """@notice The current relayer set."""
    return self.relayers


@view
@external
def laneHeadroom(remoteChain: uint64, asset: bytes32) -> uint256:
    """@notice How much of `asset` may be released now for transfers from `remoteChain` (0 when closed)."""
    b: Bucket = self.buckets[self._laneKey(remoteChain, asset)]
    return self._refilled(b)


@view
@external
def laneLimit(remoteChain: uint64, asset: bytes32) -> (uint256, uint256):
    """@notice (capacity, refillPerSecond) of a lane; capacity 0 means closed."""
    b: Bucket = self.buckets[self._laneKey(remoteChain, asset)]
    return b.capacity, b.refillPerSecond

# ---- administration --------------------------------------------------------------------------------------

@external
def setRelayers(relayers: DynArray[address, MAX_RELAYERS], threshold: uint256):
    """@notice Replaces the relayer set and threshold (owner)."""
    self._onlyOwner()
    for r: address in self.relayers:
        self.isRelayer[r] = False
    self._setRelayers(relayers, threshold)


@external
def setDestinationGateway(chainId: uint64, gateway: address):
    """@notice Registers the gateway on `chainId` whose Cancel attestations refund transfers (owner)."""
    self._onlyOwner()
    assert convert(chainId, uint256) != chain.id, "ferry: destination is this chain"
    self.destinationGateway[chainId] = gateway
    log DestinationGatewayChanged(chainId=chainId, gateway=gateway)


@external
def setAssetPair(remoteChain: uint64, localAsset: bytes32, remoteAsset: bytes32, localDecimals: uint8,
                 remoteDecimals: uint8, registered: bool):
    """
    @notice Registers (or, with `registered` false, removes) the pair `localAsset` here <-> `remoteAsset` on
            `remoteChain`, with both sides' decimals (owner). Locks to and releases from `remoteChain` of
            `localAsset` need it; the remote gateway must register the mirror pair.
    """
    self._onlyOwner()
    assert convert(remoteChain, uint256) != chain.id, "ferry: remote is this chain"
    assert localDecimals <= MAX_DECIMALS and remoteDecimals <= MAX_DECIMALS, "ferry: decimals above 77"
    self.pairs[self._laneKey(remoteChain, localAsset)] = AssetPair(
        remoteAsset=remoteAsset, localDecimals=localDecimals, remoteDecimals=remoteDecimals, registered=registered)
    log AssetPairChanged(remoteChain=remoteChain, localAsset=localAsset, remoteAsset=remoteAsset,
                         localDecimals=localDecimals, remoteDecimals=remoteDecimals, registered=registered)


@external
def setLaneLimit(remoteChain: uint64, asset: bytes32, capacity: uint256, refillPerSecond: uint256):
    """
    @notice Opens (capacity > 0) or closes (capacity 0) the lane of `asset` with `remoteChain`, a token bucket
            that locks to and releases from `remoteChain` both draw on (owner). A new lane starts full; changing a lane keeps its
            current level (capped at the new capacity), so tightening a drained lane hands out nothing.
    """
    self._onlyOwner()
    key: bytes32 = self._laneKey(remoteChain, asset)
    b: Bucket = self.buckets[key]
    level: uint256 = capacity
    if b.updatedAt != 0:
        level = min(self._refilled(b), capacity)
    self.buckets[key] = Bucket(capacity=capacity, refillPerSecond=refillPerSecond, tokens=level, updatedAt=block.timestamp)
    log LaneLimitChanged(remoteChain=remoteChain, asset=asset, capacity=capacity, refillPerSecond=refillPerSecond)


@external
def setPaused(paused: bool):
    """
    @notice Stops (or resumes) lock and release (owner). Cancel and refund stay open: they only return value
            to senders, on k-of-n attestations, so a pause can never hold locked value hostage.
    """
    self._onlyOwner()
    self.paused = paused
    log PausedChanged(paused=paused)


@external
def transferOwnership(newOwner: address):
    """@notice Hands administration to `newOwner` (owner)."""
    self._onlyOwner()
    assert newOwner != empty(address), "ferry: zero owner"
    log OwnershipTransferred(previousOwner=self.owner, newOwner=newOwner)
    self.owner = newOwner

# ---- internals -------------------------------------------------------------------------------------------

@internal
@view
def _onlyOwner():
    assert msg.sender == self.owner, "ferry: caller is not the owner"


@internal
def _setRelayers(relayers: DynArray[address, MAX_RELAYERS], threshold: uint256):
    assert threshold >= 1, "ferry: threshold must be at least 1"
    assert threshold <= len(relayers), "ferry: threshold exceeds relayer count"
    for r: address in relayers:
        assert r != empty(address), "ferry: zero relayer"
        assert not self.isRelayer[r], "ferry: duplicate relayer"
        self.isRelayer[r] = True
    self.relayers = relayers
    self.threshold = threshold
    log RelayersChanged(relayers=relayers, threshold=threshold)


@internal
@pure
def _messageId(t: Transfer) -> bytes32:
    return keccak256(abi_encode(t))


@internal
@pure
def _domainSeparator(chainId: uint256, verifyingContract: address) -> bytes32:
    return keccak256(abi_encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, chainId, verifyingContract))


@internal
@pure
def _digest(typehash: bytes32, messageId: bytes32, chainId: uint256, verifyingContract: address) -> bytes32:
    return keccak256(concat(b"\x19\x01", self._domainSeparator(chainId, verifyingContract),
                            keccak256(abi_encode(typehash, messageId))))


@internal
@view
def _checkpointDigest(cp: Checkpoint) -> bytes32:
    return keccak256(concat(b"\x19\x01", self._domainSeparator(chain.id, self), keccak256(abi_encode(
        CHECKPOINT_TYPEHASH, cp.sourceChain, cp.root, cp.firstNonce, cp.lastNonce, cp.count))))


@internal
@view
def _checkRelease(transfer: Transfer) -> bytes32:
    """The checks every release makes before its authorisation (signatures or proof); returns the message id."""
    assert transfer.version == TRANSFER_VERSION, "ferry: unsupported transfer version"
    assert convert(transfer.destChain, uint256) == chain.id, "ferry: wrong destination chain"
    assert convert(transfer.sourceChain, uint256) != chain.id, "ferry: source is this chain"
    messageId: bytes32 = self._messageId(transfer)
    state: uint8 = self.status[messageId]
    assert state != RELEASED, "ferry: already released"
    assert state != CANCELLED, "ferry: transfer cancelled"
    assert convert(transfer.deadline, uint256) >= block.timestamp, "ferry: deadline passed"
    pair: AssetPair = self.pairs[self._laneKey(transfer.sourceChain, transfer.destAsset)]
    assert pair.registered and pair.remoteAsset == transfer.sourceAsset, "ferry: asset pair not registered"
    return messageId


@internal
@pure
def _checkProof(transfer: Transfer, messageId: bytes32, root: bytes32, c: Commitment,
                proof: DynArray[bytes32, merkle.MAX_PROOF]):
    assert transfer.sourceChain == c.sourceChain, "ferry: transfer is not from the checkpoint's source chain"
    assert transfer.nonce >= c.firstNonce and transfer.nonce <= c.lastNonce, \
        "ferry: transfer nonce outside the checkpoint's range"
    assert merkle.verify(messageId, proof, root), "ferry: proof does not match the committed root"


@internal
def _release(transfer: Transfer, messageId: bytes32):
    """Marks `messageId` released and pays it, once its release was authorised."""
    self._consume(transfer.sourceChain, transfer.destAsset, transfer.amount)
    self.status[messageId] = RELEASED
    receiver: address = self._toAddress(transfer.receiver)
    held: uint256 = self._holding(transfer.destAsset)
    reserved: uint256 = self.refundable[transfer.destAsset]
    assert held >= reserved and held - reserved >= transfer.amount, "ferry: release would spend refundable value"
    self._pay(transfer.destAsset, receiver, transfer.amount)
    log Released(messageId=messageId, receiver=receiver, asset=transfer.destAsset, amount=transfer.amount)


@internal
@view
def _verify(digest: bytes32, signatures: DynArray[Signature, MAX_RELAYERS]):
    assert len(signatures) >= self.threshold, "ferry: not enough signatures"
    last: uint256 = 0
    for sig: Signature in signatures:
        assert sig.v == 27 or sig.v == 28, "ferry: signature v must be 27 or 28"
        assert convert(sig.s, uint256) <= HALF_CURVE_ORDER, "ferry: signature s is not low"
        signer: address = ecrecover(digest, sig.v, sig.r, sig.s)
        assert signer != empty(address), "ferry: invalid signature"
        current: uint256 = convert(convert(signer, uint160), uint256)
        assert current > last, "ferry: signers must be distinct and in ascending order"
        assert self.isRelayer[signer], "ferry: signer is not a relayer"
        last = current


@internal
@pure
def _laneKey(remoteChain: uint64, asset: bytes32) -> bytes32:
    return keccak256(abi_encode(remoteChain, asset))


@internal
@view
def _refilled(b: Bucket) -> uint256:
    if b.capacity == 0:
        return 0
    if b.tokens >= b.capacity:
        return b.capacity
    missing: uint256 = b.capacity - b.tokens
    elapsed: uint256 = block.timestamp - b.updatedAt
    if b.refillPerSecond == 0 or elapsed == 0:
        return b.tokens
    # Divide instead of multiplying: neither a huge rate nor a long pause can overflow.
    if elapsed >= missing // b.refillPerSecond + 1:
        return b.capacity
    # elapsed * refillPerSecond <= missing here, so neither the product nor the sum overflows.
    return min(b.tokens + elapsed * b.refillPerSecond, b.capacity)


@internal
def _consume(remoteChain: uint64, asset: bytes32, amount: uint256):
    key: bytes32 = self._laneKey(remoteChain, asset)
    b: Bucket = self.buckets[key]
    assert b.capacity > 0, "ferry: lane not open"
    available: uint256 = self._refilled(b)
    assert available >= amount, "ferry: lane rate limit exceeded"
    self.buckets[key] = Bucket(capacity=b.capacity, refillPerSecond=b.refillPerSecond,
                               tokens=available - amount, updatedAt=block.timestamp)


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
@pure
def _toLocal(amount: uint256, pair: AssetPair) -> uint256:
    """`amount` in remote decimals expressed in local decimals, rounded up (the payer covers any dust)."""
    if pair.localDecimals >= pair.remoteDecimals:
        return amount * self._pow10(pair.localDecimals - pair.remoteDecimals)
    scale: uint256 = self._pow10(pair.remoteDecimals - pair.localDecimals)
    rounded: uint256 = amount // scale
    if amount % scale != 0:
        rounded += 1
    return rounded


@internal
@pure
def _pow10(digits: uint8) -> uint256:
    result: uint256 = 1
    for i: uint256 in range(77):
        if i >= convert(digits, uint256):
            break
        result *= 10
    return result


@internal
@view
def _holding(asset: bytes32) -> uint256:
    if asset == empty(bytes32):
        return self.balance
    return staticcall IERC20(self._toAddress(asset)).balanceOf(self)


@internal
def _pay(asset: bytes32, to: address, amount: uint256):
    if asset == empty(bytes32):
        ok: bool = raw_call(to, b"", value=amount, revert_on_failure=False)
        assert ok, "ferry: native transfer failed"
    else:
        assert extcall IERC20(self._toAddress(asset)).transfer(to, amount, default_return_value=True), \
            "ferry: token transfer failed"
