;; mcpwire's file fingerprint (v4): two 64-bit lanes over the bytes, eight at a time, little-endian.
;; Assembled into src/files/hash-wasm.ts by scripts/build-hash-wasm.mjs; fingerprint.ts holds the same
;; function in plain JavaScript (BigInt), for engines without WebAssembly, and the tests compare the two.
;;
;; reset()        starts a hash
;; update(n)      hashes the n bytes at memory offset 0 (n a multiple of 8, except in the last call)
;; digest1(len)   the first lane, finished with the total length; digest2(len): the second
(module
  (memory (export "memory") 1)
  (global $h1 (mut i64) (i64.const 0))
  (global $h2 (mut i64) (i64.const 0))

  (func (export "reset")
    (global.set $h1 (i64.const 0x9E3779B97F4A7C15))
    (global.set $h2 (i64.const 0x632BE59BD9B4E019)))

  (func $mix (param $w i64)
    ;; h1 = rotl(h1 + w * P2, 31) * P1
    (global.set $h1
      (i64.mul
        (i64.rotl (i64.add (global.get $h1) (i64.mul (local.get $w) (i64.const 0xC2B2AE3D27D4EB4F))) (i64.const 31))
        (i64.const 0x9E3779B185EBCA87)))
    ;; h2 = rotl(h2 ^ w * P3, 27) * P1 + P4
    (global.set $h2
      (i64.add
        (i64.mul
          (i64.rotl (i64.xor (global.get $h2) (i64.mul (local.get $w) (i64.const 0x165667B19E3779F9))) (i64.const 27))
          (i64.const 0x9E3779B185EBCA87))
        (i64.const 0x85EBCA77C2B2AE63))))

  (func (export "update") (param $n i32)
    (local $i i32) (local $end i32) (local $k i32) (local $w i64)
    (local.set $end (i32.and (local.get $n) (i32.const -8)))
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (call $mix (i64.load (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $words)))
    ;; The last 1 to 7 bytes, as one word: the first of them lowest, zeros above.
    (if (i32.lt_u (local.get $end) (local.get $n))
      (then
        (local.set $k (local.get $n))
        (loop $tail
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (local.set $w (i64.or (i64.shl (local.get $w) (i64.const 8)) (i64.load8_u (local.get $k))))
          (br_if $tail (i32.gt_u (local.get $k) (local.get $end))))
        (call $mix (local.get $w)))))

  ;; MurmurHash3's 64-bit finalizer.
  (func $fmix (param $x i64) (result i64)
    (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 33))))
    (local.set $x (i64.mul (local.get $x) (i64.const 0xFF51AFD7ED558CCD)))
    (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 33))))
    (local.set $x (i64.mul (local.get $x) (i64.const 0xC4CEB9FE1A85EC53)))
    (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 33))))

  (func (export "digest1") (param $len i64) (result i64)
    (call $fmix (i64.xor (global.get $h1) (local.get $len))))

  (func (export "digest2") (param $len i64) (result i64)
    (call $fmix (i64.add (global.get $h2) (local.get $len)))))
