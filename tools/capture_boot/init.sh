#!/bin/busybox sh
# /init of the capture boot (tools/capture-boot, mpipl.md §11): the fadump state, the
# reserved ranges of this boot's device tree, /proc/vmcore's headers, notes and an md5 per
# chunk of each PT_LOAD (and per PT_LOAD, of its chunks' md5s), each byte read once; then it
# waits for the host's "poweroff".
# Result lines are printed twice with fixed-width fields: the console now and then repeats
# a character, and the host keeps a copy that parses (tools/capture_boot/results.py).
# Every read of /proc/vmcore is dd with byte offsets and counts (iflag=skip_bytes,count_bytes,
# busybox >= 1.24) and 1 MiB blocks, whatever the alignment of the segment: Linux 6.12 makes
# a PT_LOAD start at an unaligned address (the end of its fadump reserved area).
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox --install -s /bin
exec </dev/console >/dev/console 2>&1
V=/proc/vmcore
BS=1048576
twice() { echo "$1"; echo "$1"; }
u() { od -An -tu$1 -j $2 -N $1 $V | tr -d ' '; }
# bytes OFF COUNT: COUNT bytes of /proc/vmcore from byte OFF, read in BS blocks
bytes() { dd if=$V iflag=skip_bytes,count_bytes bs=$BS skip=$1 count=$2 2>/dev/null; }
echo "CB: init, kernel $(uname -r), $(nproc) cpus, cmdline: $(cat /proc/cmdline)"
for f in enabled registered mem_reserved; do
  [ -r /sys/kernel/fadump/$f ] && echo "CB-STATE: /sys/kernel/fadump/$f = $(cat /sys/kernel/fadump/$f)"
done
for p in /proc/device-tree/ibm,opal/dump/*; do
  [ -f "$p" ] && echo "CB-STATE: /ibm,opal/dump/${p##*/}: $(wc -c < "$p") bytes"
done
dmesg | grep -i -E 'fadump|vmcore|mpipl' | sed 's/^/CB-DMESG: /'
# the memory skiboot reserved for itself in this boot (its allocations are rebuilt here)
RR=/proc/device-tree/reserved-ranges
if [ -r $RR ]; then
  n=$(($(wc -c < $RR) / 16)); j=0
  while [ $j -lt $n ]; do
    ra=$(od -An -tx1 -j $((j * 16)) -N 8 $RR | tr -d ' \n')
    rs=$(od -An -tx1 -j $((j * 16 + 8)) -N 8 $RR | tr -d ' \n')
    rn=$(tr '\0' '\n' < /proc/device-tree/reserved-names | sed -n "$((j + 1))p")
    twice "CB-RSV $(printf %02d $j) $ra $rs $rn"
    j=$((j + 1))
  done
fi
CHUNK=$(sed -n 's/.*cb_chunk=\([0-9]*\).*/\1/p' /proc/cmdline)
CHUNK=${CHUNK:-1048576}
if [ ! -r $V ]; then
  echo "CB: NO-VMCORE"
else
  size=$(ls -ln $V | awk '{print $5}')
  phoff=$(u 8 32); phnum=$(u 2 56)
  twice "$(printf 'CB-VMCORE size=%016x phoff=%016x phnum=%04d' $size $phoff $phnum)"
  t0=$(date +%s)
  bytes 0 $((phoff + phnum * 56)) | hexdump -v -e '8/1 "%02x" "\n"' |
    awk '{ l = sprintf("CB-HDR %06d %s", NR - 1, $0); print l; print l }'
  i=0
  while [ $i -lt $phnum ]; do
    o=$((phoff + i * 56))
    t=$(u 4 $o); off=$(u 8 $((o + 8))); fsz=$(u 8 $((o + 32)))
    if [ "$t" = 4 ]; then
      bytes $off $fsz | hexdump -v -e '16/1 "%02x" "\n"' |
        awk -v i=$i '{ gsub(/ /, ""); l = sprintf("CB-NOTE %02d %06d %s", i, NR - 1, $0); print l; print l }'
    fi
    if [ "$t" = 1 ]; then
      # one read: an md5 per chunk; the segment's md5 is that of its chunks' md5s (32 hex
      # digits each, nothing between), which the host computes the same way
      : > /tmp/seg
      k=0; c=0
      while [ $c -lt $fsz ]; do
        n=$((fsz - c)); [ $n -gt $CHUNK ] && n=$CHUNK
        m=$(bytes $((off + c)) $n | md5sum | cut -c1-32)
        twice "$(printf 'CB-CHUNK %02d %06d %s' $i $k $m)"
        printf %s $m >> /tmp/seg
        k=$((k + 1)); c=$((c + n))
      done
      m=$(md5sum < /tmp/seg | cut -c1-32)
      twice "$(printf 'CB-SEG %02d off=%016x size=%016x md5=%s' $i $off $fsz $m)"
    fi
    i=$((i + 1))
  done
  echo "CB: read /proc/vmcore in $(($(date +%s) - t0)) s"
fi
echo "CB: DONE"
while read -t 900 cmd; do
  [ "$cmd" = poweroff ] && break
done
echo "CB: powering off"
poweroff -f
