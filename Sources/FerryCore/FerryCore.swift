// FerryCore: Amount, ChainID, AssetID, Address, Transfer, message ids.
public import FerryCrypto
