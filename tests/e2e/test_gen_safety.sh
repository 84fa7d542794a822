# test_gen_safety: the generator's safety rules, checked statically on the
# AST of 10,000 kernels by tests/gen_safety.py (Python's ast module only):
# array indices in bounds, nonzero denominators, guarded sqrt/log/pow/acos/
# inverse..., bounded loops, no read of an unassigned name, float-to-int
# conversions clamped first. First the checker
# must flag planted unsafe kernels and pass a safe one (--self-test); then
# the synthetic style over every profile (all) and the seed's 11 categories
# (--categories seed) must give no violation, with non-trivial counts so the
# checker cannot pass by seeing nothing; the realistic style too (the
# default, every profile; and the seed's 11 in it), with its parameter
# roles (--roles).
# flavours: release
source "$(dirname "$0")/lib.sh"
PY=${JITSYNTH_PYTHON:-$ROOT/.venv/bin/python}
CHK=$ROOT/tests/gen_safety.py
N=${N:-10000}

"$PY" "$CHK" --self-test >self.txt 2>&1 || { cat self.txt >&2; fail "checker self-test"; }
check "self-test flags every planted unsafe kernel" grep -q '^self-test: passed$' self.txt
check "self-test: no planted kernel slips through" test "$(grep -c '^FAIL' self.txt || true)" = 0

# count NAME FILE: the "NAME checked: K" figure of a checker report
count() { sed -n "s/^$1 checked: //p" "$2"; }

for set in all seed; do
	if [ $set = all ]; then
		"$JS" sample -n "$N" --categories all --style synthetic --seed 3 >k-$set.txt
	else
		"$JS" sample -n "$N" --categories seed --seed 3 >k-$set.txt
	fi
	set +e
	"$PY" "$CHK" <k-$set.txt >r-$set.txt 2>&1
	rc=$?
	set -e
	grep -v '^kernel ' r-$set.txt | sed "s/^/  $set: /"
	grep '^kernel ' r-$set.txt | head -20 >&2 || true
	check "$set: $N kernels checked" test "$(count kernels r-$set.txt)" = "$N"
	check "$set: no safety violation" test "$rc" = 0
	check "$set: thousands of array subscripts checked" test "$(count subscripts r-$set.txt)" -ge $((N * 5))
	check "$set: thousands of stores checked" test "$(count stores r-$set.txt)" -ge "$N"
	check "$set: thousands of divisions checked" test "$(count divisions r-$set.txt)" -ge "$N"
	check "$set: thousands of guarded calls checked" test "$(count 'guarded calls' r-$set.txt)" -ge $((N / 4))
	check "$set: thousands of loops checked" test "$(count loops r-$set.txt)" -ge $((N / 4))
	check "$set: atomics checked" test "$(count atomics r-$set.txt)" -ge $((N / 10))
	check "$set: thousands of float-to-int conversions checked" test "$(count conversions r-$set.txt)" -ge $((N / 4))
done
check "all: shifts checked (bitwise profile)" test "$(count shifts r-all.txt)" -ge $((N / 20))

# the realistic style, the default: the same rules plus --roles, the
# parameter roles that make its kernels well defined by construction
for set in default seed; do
	if [ $set = default ]; then
		"$JS" sample -n "$N" --seed 3 >kr-$set.txt
	else
		"$JS" sample -n "$N" --categories seed --style realistic --seed 3 >kr-$set.txt
	fi
	set +e
	"$PY" "$CHK" --roles <kr-$set.txt >rr-$set.txt 2>&1
	rc=$?
	set -e
	grep -v '^kernel ' rr-$set.txt | sed "s/^/  realistic $set: /"
	grep '^kernel ' rr-$set.txt | head -20 >&2 || true
	check "realistic $set: $N kernels checked" test "$(count kernels rr-$set.txt)" = "$N"
	check "realistic $set: no safety or role violation" test "$rc" = 0
	check "realistic $set: the roles of thousands of arrays checked" test "$(count roles rr-$set.txt)" -ge $((N * 2))
	check "realistic $set: thousands of array subscripts checked" test "$(count subscripts rr-$set.txt)" -ge $((N * 2))
	check "realistic $set: thousands of stores checked" test "$(count stores rr-$set.txt)" -ge $((N / 2))
	check "realistic $set: atomics checked" test "$(count atomics rr-$set.txt)" -ge $((N / 10))
	check "realistic $set: loops checked" test "$(count loops rr-$set.txt)" -ge $((N / 10))
done
