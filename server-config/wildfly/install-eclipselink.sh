#!/bin/sh
# Makes EclipseLink WildFly's JPA provider for the WAR (its persistence.xml names EclipseLink, as on Payara).
# WildFly ships the module org.eclipse.persistence with its integration jar only; this adds EclipseLink itself, the
# way WildFly's JPA guide describes. Idempotent.
#     install-eclipselink.sh JBOSS_HOME path/to/eclipselink-4.0.7.jar
set -eu
[ $# -eq 2 ] || { echo "usage: $0 JBOSS_HOME ECLIPSELINK_JAR" >&2; exit 64; }
module_dir=$1/modules/system/layers/base/org/eclipse/persistence/main
jar=$(basename "$2")
[ -f "$module_dir/module.xml" ] || { echo "$module_dir/module.xml not found: is $1 a WildFly home?" >&2; exit 66; }
cp "$2" "$module_dir/$jar"
if ! grep -q "resource-root path=\"$jar\"" "$module_dir/module.xml"; then
    sed -i "s#<resources>#<resources>\n        <resource-root path=\"$jar\"/>#" "$module_dir/module.xml"
fi
# EclipseLink also uses JDK modules that the integration module does not import.
for jdk_module in java.rmi java.xml java.sql java.desktop; do
    if ! grep -q "module name=\"$jdk_module\"" "$module_dir/module.xml"; then
        sed -i "s#<dependencies>#<dependencies>\n        <module name=\"$jdk_module\"/>#" "$module_dir/module.xml"
    fi
done
echo "EclipseLink $jar installed in $module_dir"
