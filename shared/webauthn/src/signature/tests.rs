use super::*;

/// DER for (r, s) given as their minimal big-endian magnitudes.
fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
    let int = |v: &[u8]| {
        let mut out = std::vec![0x02];
        let pad = v.first().is_some_and(|b| b & 0x80 != 0);
        out.push(u8::try_from(v.len() + usize::from(pad)).unwrap());
        if pad {
            out.push(0);
        }
        out.extend_from_slice(v);
        out
    };
    let body = [int(r), int(s)].concat();
    [std::vec![0x30, u8::try_from(body.len()).unwrap()], body].concat()
}

#[test]
fn converts_der_to_raw_with_left_padding() {
    let r = [0x80u8; 32]; // high bit: encoded with a leading zero
    let s = [0x01u8, 0x02]; // short: padded on the left
    let raw = ecdsa_der_to_raw(&der(&r, &s)).unwrap();
    assert_eq!(&raw[..32], &r);
    assert_eq!(&raw[32..62], &[0u8; 30]);
    assert_eq!(&raw[62..], &s);
}

#[test]
fn converts_the_w3c_es256_signature() {
    let sig = b"\x30\x46\x02\x21\x00\xf5\x0a\x4e\x2e\x44\x09\x24\x9c\x4a\x85\x3b\xa3\x61\x28\x2f\x09\x84\x1d\xf4\xdd\x45\x47\xa1\x3a\x87\x78\x02\x18\xde\xff\xcd\x38\x02\x21\x00\x84\x80\xac\x0f\x0b\x93\x53\x81\x74\xf5\x75\xbf\x11\xa1\xdd\x5d\x78\xc6\xe4\x86\x01\x3f\x93\x72\x95\xea\x13\x65\x3e\x33\x1e\x87";
    let raw = ecdsa_der_to_raw(sig).unwrap();
    assert_eq!(raw[0], 0xf5);
    assert_eq!(raw[32], 0x84);
    assert_eq!(raw[63], 0x87);
}

#[test]
fn refuses_non_strict_der() {
    let good = der(&[0x11; 32], &[0x22; 32]);
    assert!(ecdsa_der_to_raw(&good).is_some());
    let mut cases: Vec<Vec<u8>> = std::vec![
        [good.as_slice(), &[0]].concat(), // trailing byte
        good[..good.len() - 1].to_vec(),  // truncated
        std::vec![],                      // empty
        std::vec![0x30, 0x00],            // no integers
        der(&[0x11; 33], &[0x22; 32]),    // r longer than 32 bytes
        der(&[0x00, 0x11], &[0x22; 32]),  // non-minimal r
        std::vec![0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01], // negative r
        std::vec![0x30, 0x06, 0x02, 0x00, 0x02, 0x02, 0x01, 0x01], // empty INTEGER
        std::vec![0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01], // long-form length
    ];
    let mut wrong_tag = good.clone();
    wrong_tag[0] = 0x31;
    cases.push(wrong_tag);
    let mut wrong_len = good.clone();
    wrong_len[1] += 1;
    cases.push(wrong_len);
    let mut inner_tag = good.clone();
    inner_tag[2] = 0x03;
    cases.push(inner_tag);
    for case in cases {
        assert_eq!(ecdsa_der_to_raw(&case), None, "{case:x?}");
    }
}

#[test]
fn normalizes_by_key_type() {
    let p256 = PublicKey::P256 {
        x: [1; 32],
        y: [2; 32],
    };
    let ed = PublicKey::Ed25519([3; 32]);
    let rsa = PublicKey::Rsa {
        n: std::vec![0xc5; 256],
        e: 65537,
    };
    assert_eq!(
        normalize(&p256, &der(&[7; 32], &[8; 32])).unwrap().len(),
        64
    );
    assert!(normalize(&p256, &[7; 64]).is_err());
    assert!(normalize(&ed, &[0; 64]).is_ok());
    assert!(normalize(&ed, &[0; 63]).is_err());
    assert!(normalize(&rsa, &[0; 256]).is_ok());
    assert!(normalize(&rsa, &[0; 255]).is_err());
    assert!(normalize(&rsa, &[0; MAX_SIGNATURE_LEN + 1]).is_err());
}
